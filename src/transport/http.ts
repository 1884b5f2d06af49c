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
import type { CancelSignal } from "./call-cancel.js";

/**
 * Which client carries direct (unproxied) requests:
 * - `auto`: node:http until undici has loaded, undici afterwards. The process's second
 *   model call made with `auto` starts loading it in the background (noteAutoCall), so a
 *   process that makes many calls moves to it and a one-call script never loads it.
 * - `node`: always node:http (one-shot commands: nothing extra to load).
 * - `undici`: wait for undici before the first request (servers that load it at start).
 */
export type HttpClientChoice = "auto" | "node" | "undici";

/** A string is sent as UTF-8; parts (a relayed body in the chunks it came in) one after another. */
export type RequestBody = string | Uint8Array | readonly Uint8Array[];

export interface HttpRequest {
  url: string;
  method: "GET" | "POST" | "DELETE";
  headers: Record<string, string>;
  body?: RequestBody;
  signal?: CancelSignal;
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

/** Parsed request URLs: a model call's URL is the same every time, and parsing it was ~2% of a short call. */
const parsedUrls = new Map<string, URL>();
const MAX_PARSED_URLS = 64;

function parseUrl(text: string): URL {
  let url = parsedUrls.get(text);
  if (!url) {
    url = new URL(text);
    if (parsedUrls.size >= MAX_PARSED_URLS) parsedUrls.clear();
    parsedUrls.set(text, url);
  }
  return url;
}

export async function send(request: HttpRequest): Promise<HttpResponse> {
  // Shared between calls: the clients only read it.
  const url = parseUrl(request.url);
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

let autoCalls = 0;

/**
 * A model call with `auto` is being sent. The second one in a process starts loading
 * undici: a script that makes one call never pays for the import, and the load runs
 * while that call waits for its answer.
 */
export function noteAutoCall(): void {
  if (++autoCalls === 2) preloadUndici();
}

/** Starts loading undici if it is not loaded yet; `auto` requests use it once it is. */
export function preloadUndici(): void {
  loadUndici().catch(() => {
    // If it cannot load, `auto` requests stay on node:http; `undici` requests report the failure.
  });
}
