// One HTTP exchange over node:http(s) with keep-alive. We use the built-in client
// rather than undici because importing undici costs ~115 ms, which would dominate the
// CLI's cold start; bench/ compares this client against undici.request.
import http from "node:http";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import { ProviderError } from "../errors.js";

export interface HttpRequest {
  url: string;
  method: "GET" | "POST" | "DELETE";
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Time allowed for the response headers to arrive. */
  headersTimeoutMs?: number;
  /** Time allowed between two body chunks; exceeding it fails the body with `idle_timeout`. */
  idleTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Body chunks; iterate once. Errors surface as ProviderError (`network_error`, `idle_timeout`, `aborted`). */
  body: AsyncIterable<Buffer>;
  text(): Promise<string>;
  /** Stop reading and release the socket. */
  destroy(): void;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

function flattenHeaders(message: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function abortedError(): ProviderError {
  return new ProviderError("aborted", "The request was aborted.");
}

function networkError(error: unknown, url: URL): ProviderError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  const hint =
    code === "ECONNREFUSED"
      ? `Nothing is listening at ${url.origin}. Check the base URL and port.`
      : undefined;
  return new ProviderError("network_error", `Could not reach ${url.origin}: ${detail}`, {
    retryable: true,
    cause: error,
    hint,
  });
}

export function send(request: HttpRequest): Promise<HttpResponse> {
  const url = new URL(request.url);
  const isHttps = url.protocol === "https:";
  if (!isHttps && url.protocol !== "http:") {
    return Promise.reject(new ProviderError("config_error", `Unsupported URL scheme in ${url.origin}`));
  }
  const { signal } = request;
  if (signal?.aborted) return Promise.reject(abortedError());

  return new Promise<HttpResponse>((resolve, reject) => {
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers["content-length"] = Buffer.byteLength(request.body);
    const req = (isHttps ? https : http).request(url, {
      method: request.method,
      headers,
      agent: isHttps ? agents.https : agents.http,
    });

    let settled = false;
    let headersTimer: NodeJS.Timeout | undefined;
    const onAbort = () => req.destroy(abortedError());
    signal?.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => {
      signal?.removeEventListener("abort", onAbort);
      if (headersTimer) clearTimeout(headersTimer);
    };

    if (request.headersTimeoutMs) {
      headersTimer = setTimeout(() => {
        req.destroy(
          new ProviderError(
            "network_error",
            `No response headers from ${url.origin} within ${Math.round(request.headersTimeoutMs! / 1000)} s`,
            { retryable: true },
          ),
        );
      }, request.headersTimeoutMs);
    }

    req.on("error", (error) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(error instanceof ProviderError ? error : networkError(error, url));
    });

    req.on("response", (res) => {
      settled = true;
      if (headersTimer) clearTimeout(headersTimer);
      resolve(wrapResponse(res, req, url, request, cleanup));
    });

    req.end(request.body);
  });
}

function wrapResponse(
  res: IncomingMessage,
  req: http.ClientRequest,
  url: URL,
  request: HttpRequest,
  cleanup: () => void,
): HttpResponse {
  let consumed = false;
  const idleMs = request.idleTimeoutMs;

  async function* body(): AsyncGenerator<Buffer> {
    if (consumed) throw new Error("response body already consumed");
    consumed = true;
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (!idleMs) return;
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        res.destroy(
          new ProviderError("idle_timeout", `No data from ${url.origin} for ${formatSeconds(idleMs)}; the stream stalled.`, {
            retryable: true,
          }),
        );
      }, idleMs);
    };
    // A socket reset after the headers arrives as 'aborted' on the response, which
    // async iteration reports as a premature close; normalise it to network_error.
    let failed = false;
    try {
      armIdle();
      for await (const chunk of res) {
        armIdle();
        yield chunk as Buffer;
      }
      if (!res.complete) throw new ProviderError("network_error", `Connection to ${url.origin} closed mid-response`, { retryable: true });
    } catch (error) {
      failed = true;
      if (error instanceof ProviderError) throw error;
      if (request.signal?.aborted) throw abortedError();
      throw networkError(error, url);
    } finally {
      if (idleTimer) clearTimeout(idleTimer);
      cleanup();
      if (!res.complete) {
        // The caller stopped early (e.g. after the terminal event while the server
        // still closes the body): drain briefly so the keep-alive socket survives.
        if (failed || request.signal?.aborted) req.destroy();
        else drainOrDestroy(res, req);
      }
    }
  }

  return {
    status: res.statusCode ?? 0,
    headers: flattenHeaders(res),
    body: { [Symbol.asyncIterator]: body },
    async text() {
      const chunks: Buffer[] = [];
      for await (const chunk of body()) chunks.push(chunk);
      return Buffer.concat(chunks).toString("utf8");
    },
    destroy() {
      cleanup();
      res.destroy();
      req.destroy();
    },
  };
}

const DRAIN_MS = 1000;

function drainOrDestroy(res: IncomingMessage, req: http.ClientRequest): void {
  const timer = setTimeout(() => req.destroy(), DRAIN_MS);
  timer.unref();
  res.on("end", () => clearTimeout(timer));
  res.on("error", () => clearTimeout(timer));
  res.resume();
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
