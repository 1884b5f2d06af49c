// One HTTP exchange over node:http(s) with keep-alive. We use the built-in client
// rather than undici because importing undici costs ~115 ms, which would dominate the
// CLI's cold start; bench/ compares this client against undici.request.
import http from "node:http";
import type { IncomingMessage } from "node:http";
import { ProviderError } from "../errors.js";
import { BodyQueue } from "./body-queue.js";
import { proxyFor } from "./proxy.js";

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
  /** Stop reading and release the socket. */
  destroy(): void;
}

// No socket cap: a local server may hold hundreds of concurrent streams.
const httpAgent = new http.Agent({ keepAlive: true });

interface HttpsClient {
  request: typeof http.request;
  agent: http.Agent;
}
let httpsClient: Promise<HttpsClient> | undefined;

/** node:https (and TLS) load on the first https request: loopback users never pay for them. */
function loadHttps(): Promise<HttpsClient> {
  httpsClient ??= import("node:https").then((https) => ({ request: https.request, agent: new https.Agent({ keepAlive: true }) }));
  return httpsClient;
}
/** Chunks buffered before pausing the socket (backpressure for slow consumers). */
const HIGH_WATER_CHUNKS = 16;

function flattenHeaders(message: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const { headers } = message;
  // for…in rather than Object.entries: no array of pairs per response.
  for (const name in headers) {
    const value = headers[name];
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

export async function send(request: HttpRequest): Promise<HttpResponse> {
  const url = new URL(request.url);
  const isHttps = url.protocol === "https:";
  if (!isHttps && url.protocol !== "http:") {
    throw new ProviderError("config_error", `Unsupported URL scheme in ${url.origin}`);
  }
  const proxy = proxyFor(url);
  // The proxy code (and TLS for tunnels) loads only when a proxy applies.
  const route = proxy ? (await import("./proxy-connect.js")).proxiedRoute(url, proxy) : undefined;
  const client = route ?? (isHttps ? await loadHttps() : { request: http.request, agent: httpAgent });
  const { signal } = request;
  if (signal?.aborted) throw abortedError();

  return new Promise<HttpResponse>((resolve, reject) => {
    const headers: Record<string, string | number> = { ...request.headers, ...route?.headers };
    if (request.body !== undefined) headers["content-length"] = Buffer.byteLength(request.body);
    // Plain options rather than the URL object: node:http converts a URL on every call.
    const req = client.request({
      protocol: route?.protocol ?? url.protocol,
      hostname: route?.hostname ?? (url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname),
      port: route?.port ?? url.port,
      path: route?.path ?? `${url.pathname}${url.search}`,
      method: request.method,
      headers,
      agent: client.agent,
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
      if (error instanceof ProviderError) reject(error);
      // In absolute form the socket is the proxy's: a connection failure is the proxy's.
      else reject(route?.absoluteForm ? route.absoluteForm.unreachable(error) : networkError(error, url));
    });

    req.on("response", (res) => {
      settled = true;
      if (headersTimer) clearTimeout(headersTimer);
      if (res.statusCode === 407 && route?.absoluteForm) {
        // The proxy answered for itself (absolute form); a tunnel reports its 407 from CONNECT.
        cleanup();
        req.destroy();
        return reject(route.absoluteForm.refused(407));
      }
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
    // Event-driven rather than `for await (… of res)`: leaving a Readable's async
    // iterator early destroys the socket, which would defeat keep-alive after every
    // stream (we stop reading at the terminal event, often before the body's end).
    const queue = new BodyQueue(res, HIGH_WATER_CHUNKS);
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (!idleMs) return;
      // refresh() re-arms the same timer: cheaper than a new one for every chunk.
      if (idleTimer) return void idleTimer.refresh();
      idleTimer = setTimeout(() => {
        queue.fail(new ProviderError("idle_timeout", `No data from ${url.origin} for ${formatSeconds(idleMs)}; the stream stalled.`, { retryable: true }));
      }, idleMs);
    };
    const onData = (chunk: Buffer) => {
      queue.push(chunk);
      armIdle();
    };
    const onEnd = () => queue.end();
    const onError = (error: unknown) => queue.fail(error);
    // A reset after the headers shows up as 'close' without a complete message.
    const onClose = () => {
      if (!res.complete) queue.fail(new ProviderError("network_error", `Connection to ${url.origin} closed mid-response`, { retryable: true }));
      queue.end();
    };
    res.on("data", onData);
    res.on("end", onEnd);
    res.on("error", onError);
    res.on("close", onClose);
    let failed = false;
    try {
      armIdle();
      for (;;) {
        const chunk = queue.shift();
        if (chunk !== undefined) yield chunk;
        else if (queue.finished()) return;
        else await queue.changed();
      }
    } catch (error) {
      failed = true;
      if (request.signal?.aborted) throw abortedError();
      if (error instanceof ProviderError) throw error;
      throw networkError(error, url);
    } finally {
      if (idleTimer) clearTimeout(idleTimer);
      res.off("data", onData);
      res.off("end", onEnd);
      res.off("error", onError);
      res.off("close", onClose);
      cleanup();
      if (!res.complete) {
        // The caller stopped early (e.g. after the terminal event while the server
        // still closes the body): drain briefly so the keep-alive socket survives.
        if (failed || request.signal?.aborted) {
          res.on("error", () => {}); // the destroy below may still emit one; it is already handled
          req.destroy();
        } else drainOrDestroy(res, req);
      }
    }
  }

  return {
    status: res.statusCode ?? 0,
    headers: flattenHeaders(res),
    body: { [Symbol.asyncIterator]: body },
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
