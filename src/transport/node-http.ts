// One HTTP exchange over node:http(s) with keep-alive: the client every process starts
// with (it costs nothing to load), and the one proxied requests always use, since the
// proxy code (proxy-connect.ts) builds node:http routes.
import type http from "node:http";
import type { IncomingMessage } from "node:http";
import { ProviderError } from "../errors.js";
import { BodyQueue } from "./body-queue.js";
import type { HttpRequest, HttpResponse, RequestBody } from "./http.js";
import { abortedError, closedMidResponseError, flattenHeaders, headersTimeoutError, idleTimeoutError, networkError } from "./http-failures.js";
import type { Route } from "./proxy-connect.js";

interface HttpClient {
  request: typeof http.request;
  agent: http.Agent;
}
let plainClient: HttpClient | undefined;

/**
 * node:http loads at the first request, not with the library: on Node 24 its ESM import
 * also loads Node's bundled undici, TLS and zlib (~210 M instructions), and a process
 * whose requests all go out on undici never needs it. getBuiltinModule keeps it synchronous.
 */
function loadHttp(): HttpClient {
  if (!plainClient) {
    const module = process.getBuiltinModule("node:http");
    // No socket cap: a local server may hold hundreds of concurrent streams.
    plainClient = { request: module.request, agent: new module.Agent({ keepAlive: true }) };
  }
  return plainClient;
}

let httpsClient: Promise<HttpClient> | undefined;

/** node:https (and TLS) load on the first https request: loopback users never pay for them. */
function loadHttps(): Promise<HttpClient> {
  httpsClient ??= import("node:https").then((https) => ({ request: https.request, agent: new https.Agent({ keepAlive: true }) }));
  return httpsClient;
}
/** Chunks buffered before pausing the socket (backpressure for slow consumers). */
export const HIGH_WATER_CHUNKS = 16;

/** The body's size in bytes, for its Content-Length. */
export function bodyLength(body: RequestBody): number {
  if (typeof body === "string") return Buffer.byteLength(body);
  if (!Array.isArray(body)) return (body as Uint8Array).length;
  let length = 0;
  for (const part of body) length += part.length;
  return length;
}

export async function sendNode(request: HttpRequest, url: URL, route?: Route): Promise<HttpResponse> {
  const client = route ?? (url.protocol === "https:" ? await loadHttps() : loadHttp());
  const { signal } = request;
  if (signal?.aborted) throw abortedError();

  return new Promise<HttpResponse>((resolve, reject) => {
    const headers: Record<string, string | number> = { ...request.headers, ...route?.headers };
    if (request.body !== undefined) headers["content-length"] = bodyLength(request.body);
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
    signal?.addEventListener("abort", onAbort); // removed when done: no { once }, which costs ~10 µs a call on Node 20
    const cleanup = () => {
      signal?.removeEventListener("abort", onAbort);
      if (headersTimer) clearTimeout(headersTimer);
    };

    if (request.headersTimeoutMs) {
      headersTimer = setTimeout(() => req.destroy(headersTimeoutError(url, request.headersTimeoutMs!)), request.headersTimeoutMs);
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

    if (Array.isArray(request.body)) {
      for (const part of request.body) req.write(part);
      req.end();
    } else req.end(request.body);
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
  /** Set while the body is being read: stops its idle timer and listeners. */
  let detach: (() => void) | undefined;

  const body = (): AsyncIterator<Buffer> => {
    if (consumed) throw new Error("response body already consumed");
    consumed = true;
    // Event-driven rather than `for await (… of res)`: leaving a Readable's async
    // iterator early destroys the socket, which would defeat keep-alive after every
    // stream (we stop reading at the terminal event, often before the body's end).
    const queue = new BodyQueue(res, HIGH_WATER_CHUNKS);
    // A stalled stream gives up its connection at once, whether or not anyone is reading.
    const idle = new IdleTimer(request.idleTimeoutMs, () => {
      queue.fail(idleTimeoutError(url, request.idleTimeoutMs!));
      req.destroy();
    });
    const onData = (chunk: Buffer) => {
      queue.push(chunk);
      idle.touch();
    };
    const onEnd = () => queue.end();
    const onError = (error: unknown) => queue.fail(error);
    // A reset after the headers shows up as 'close' without a complete message.
    const onClose = () => {
      if (!res.complete) queue.fail(closedMidResponseError(url));
      queue.end();
    };
    res.on("data", onData);
    res.on("end", onEnd);
    res.on("error", onError);
    res.on("close", onClose);
    idle.touch();
    detach = () => {
      idle.stop();
      res.off("data", onData);
      res.off("end", onEnd);
      res.off("error", onError);
      res.off("close", onClose);
    };
    return queue.reader((outcome, error) => {
      detach?.();
      cleanup();
      if (!res.complete) {
        // The caller stopped early (e.g. after the terminal event while the server
        // still closes the body): drain briefly so the keep-alive socket survives.
        if (outcome === "failed" || request.signal?.aborted) {
          res.on("error", () => {}); // the destroy below may still emit one; it is already handled
          req.destroy();
        } else drainOrDestroy(res, req);
      }
      if (outcome !== "failed") return undefined;
      if (request.signal?.aborted) return abortedError();
      if (error instanceof ProviderError) return error;
      // The server answered, so this is a cut, not an unreachable host (ECONNRESET mid-body).
      return closedMidResponseError(url, error);
    });
  };

  return {
    status: res.statusCode ?? 0,
    headers: flattenHeaders(res.headers),
    body: { [Symbol.asyncIterator]: body },
    destroy() {
      detach?.();
      cleanup();
      res.destroy();
      req.destroy();
    },
  };
}

/** How long the rest of a body the caller stopped reading may take before the socket is dropped. */
export const DRAIN_MS = 1000;

function drainOrDestroy(res: IncomingMessage, req: http.ClientRequest): void {
  const timer = setTimeout(() => req.destroy(), DRAIN_MS);
  timer.unref();
  res.on("end", () => clearTimeout(timer));
  res.on("error", () => clearTimeout(timer));
  res.resume();
}

/**
 * A timer for the gap between body chunks: `touch()` at each chunk re-arms the same
 * timer (refresh() is cheaper than a new timer per chunk). Without `ms`, it does nothing.
 * undici-http.ts needs none: undici times the body itself.
 */
class IdleTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number | undefined,
    private readonly onIdle: () => void,
  ) {}

  touch(): void {
    if (!this.ms) return;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.onIdle, this.ms);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
