// One HTTP exchange, by one of two clients. node:http costs nothing to load, so every
// process starts with it and proxied requests always use it (proxy-connect.ts builds
// node:http routes). undici's pool costs about half as much CPU per request as
// node:http's agent, but importing it costs 60–120 ms, so it is loaded only for
// processes that make many calls: see HttpClientChoice. bench/ compares both against
// undici.request.
import { sendNode } from "./node-http.js";
import { proxyFor } from "./proxy.js";
import { loadedUndici, loadUndici, sendUndici } from "./undici-http.js";
import { ProviderError } from "../errors.js";

/**
 * Which client carries direct (unproxied) requests:
 * - `auto`: node:http until undici has loaded, undici afterwards. Model calls made with
 *   `auto` start loading undici in the background after their request is sent, so a
 *   long-lived process moves to it after its first call and a one-shot one never waits for it.
 * - `node`: always node:http (one-shot commands: nothing extra to load).
 * - `undici`: wait for undici before the first request (servers that load it at start).
 */
export type HttpClientChoice = "auto" | "node" | "undici";

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
  /** Default `auto`, without starting a load: undici if some caller already loaded it. */
  client?: HttpClientChoice;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Body chunks; iterate once. Errors surface as ProviderError (`network_error`, `idle_timeout`, `aborted`). */
  body: AsyncIterable<Buffer>;
  /** Stop reading and release the socket. */
  destroy(): void;
}

export async function send(request: HttpRequest): Promise<HttpResponse> {
  const url = new URL(request.url);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ProviderError("config_error", `Unsupported URL scheme in ${url.origin}`);
  }
  const proxy = proxyFor(url);
  // The proxy code (and TLS for tunnels) loads only when a proxy applies.
  if (proxy) return sendNode(request, url, (await import("./proxy-connect.js")).proxiedRoute(url, proxy));
  const client = request.client ?? "auto";
  const undici = client === "undici" ? await loadUndici() : client === "auto" ? loadedUndici() : undefined;
  return undici ? sendUndici(undici, request, url) : sendNode(request, url);
}

/** Starts loading undici if it is not loaded yet; `auto` requests use it once it is. */
export function preloadUndici(): void {
  loadUndici().catch(() => {
    // Without undici (a trimmed install) node:http carries on; `undici` requests report the failure.
  });
}
