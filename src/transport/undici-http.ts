// One HTTP exchange over undici's connection pool, for processes that make many calls
// (see HttpClientChoice in http.ts). Driven through the dispatcher's handler interface
// rather than undici.request: no Readable per response, so the chunks go straight from
// the socket into our bounded queue. Behaves like node-http.ts: the same errors and
// timeouts, keep-alive kept when the caller stops reading early, abort by signal.
import type { Agent, Dispatcher } from "undici";
import { messageOf, ProviderError } from "../errors.js";
import { BodyQueue, type PausableSource } from "./body-queue.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { abortedError, closedMidResponseError, flattenHeaders, headersTimeoutError, idleTimeoutError, networkError } from "./http-failures.js";
import { bodyLength, DRAIN_MS, HIGH_WATER_CHUNKS } from "./node-http.js";

let loading: Promise<Agent> | undefined;
let loaded: Agent | undefined;

/**
 * The Agent's own module rather than the package entry, which also loads fetch,
 * WebSocket, caches and mocks: 95–140 ms instead of 210–470 ms here under load.
 * undici 7 has no `exports` map, so the path is reachable; the http-clients tests fail
 * if an upgrade moves it. A variable specifier, because the file ships without types.
 */
const AGENT_MODULE: string = "undici/lib/dispatcher/agent.js";

export function loadUndici(): Promise<Agent> {
  loading ??= (import(AGENT_MODULE) as Promise<{ default: typeof Agent }>).then(
    ({ default: Agent }) => {
      // No connection cap, as for node:http: a local server may hold hundreds of streams.
      loaded = new Agent({ connections: null });
      return loaded;
    },
    (error: unknown) => {
      throw new ProviderError("config_error", `The undici HTTP client could not be loaded: ${messageOf(error)}`, {
        cause: error,
        hint: 'Reinstall codex-provider, or set http_client = "node" (CODEX_PROVIDER_HTTP_CLIENT=node).',
      });
    },
  );
  return loading;
}

export function loadedUndici(): Agent | undefined {
  return loaded;
}

/** undici's errors in our codes; `started` once the response headers arrived. */
function providerError(error: unknown, url: URL, request: HttpRequest, started: boolean): ProviderError {
  if (request.signal?.aborted) return abortedError();
  if (error instanceof ProviderError) return error;
  const code = (error as { code?: string }).code;
  if (code === "UND_ERR_HEADERS_TIMEOUT") return headersTimeoutError(url, request.headersTimeoutMs ?? 0);
  if (code === "UND_ERR_BODY_TIMEOUT") return idleTimeoutError(url, request.idleTimeoutMs ?? 0);
  if (code === "UND_ERR_INVALID_ARG") return new ProviderError("config_error", `The request to ${url.origin} is invalid: ${(error as Error).message}`);
  if (started) return closedMidResponseError(url, error);
  return networkError(error, url);
}

export function sendUndici(agent: Agent, request: HttpRequest, url: URL): Promise<HttpResponse> {
  if (request.signal?.aborted) return Promise.reject(abortedError());
  const { body } = request;
  // Parts go out one after another (undici writes an iterable so); it needs their length
  // given, or it would send them chunked.
  const parts = Array.isArray(body) && body.length > 1;
  return new Promise<HttpResponse>((resolve, reject) => {
    agent.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: parts ? { ...request.headers, "content-length": String(bodyLength(body)) } : request.headers,
        body: Array.isArray(body) && !parts ? body[0] : body,
        // 0 turns undici's own limits off where the caller set none, as node:http has none.
        headersTimeout: request.headersTimeoutMs ?? 0,
        // The gap between chunks, as node-http.ts's idle timer measures it, on undici's
        // own timer (it re-arms one it already has): none of ours per call. undici stops
        // it while paused; Exchange covers that case.
        bodyTimeout: request.idleTimeoutMs ?? 0,
      },
      new Exchange(request, url, resolve, reject),
    );
  });
}

/**
 * One request on undici's pool: the dispatch handler, the response body's source for
 * the bounded queue, and the abort, in one object per request rather than a closure
 * per callback.
 */
class Exchange implements Dispatcher.DispatchHandler, PausableSource {
  private controller: Dispatcher.DispatchController | undefined;
  private queue: BodyQueue | undefined;
  private ended = false;
  private consumed = false;
  private draining: NodeJS.Timeout | undefined;
  /** While our queue holds undici paused (undici's body timer waits then): the idle timeout still applies. */
  private stalled: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.abort(abortedError());

  constructor(
    private readonly request: HttpRequest,
    private readonly url: URL,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    request.signal?.addEventListener("abort", this.onAbort); // removed when done: no { once }, which costs ~10 µs a call on Node 20
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.ended) controller.abort(abortedError());
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    this.controller = controller;
    this.queue = new BodyQueue(this, HIGH_WATER_CHUNKS);
    this.resolve({
      status,
      headers: flattenHeaders(headers),
      body: this,
      destroy: () => this.abort(abortedError()),
    });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.queue?.push(chunk);
  }

  onResponseEnd(): void {
    this.ended = true;
    this.queue?.end();
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const failure = providerError(error, this.url, this.request, this.queue !== undefined);
    this.ended = true;
    this.finish();
    if (this.queue) this.queue.fail(failure);
    else this.reject(failure);
  }

  // The queue's backpressure drives undici's controller. A reader that stops reading
  // altogether must not hold the connection for good: past the idle time, the call fails
  // as if the upstream had stalled (node-http.ts's timer does not stop for a pause either).
  pause(): void {
    this.controller?.pause();
    const ms = this.request.idleTimeoutMs;
    if (ms && !this.stalled) this.stalled = setTimeout(() => this.abort(idleTimeoutError(this.url, ms)), ms);
  }

  resume(): void {
    this.stopStalled();
    this.controller?.resume();
  }

  isPaused(): boolean {
    return this.controller?.paused ?? false;
  }

  /** The response body: read once. */
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.consumed) throw new Error("response body already consumed");
    this.consumed = true;
    return this.queue!.reader((outcome, error) => {
      if (outcome === "failed") {
        this.abort(abortedError()); // releases the socket; a no-op when the failure came from undici
        return providerError(error, this.url, this.request, true);
      }
      if (outcome === "stopped" && !this.ended) {
        // The caller stopped early (e.g. at the terminal event, before the body's end):
        // let the rest arrive and drop it, briefly, so the keep-alive socket survives.
        this.queue = undefined;
        this.resume();
        this.draining = setTimeout(() => this.abort(abortedError()), DRAIN_MS);
        this.draining.unref();
      }
      return undefined;
    });
  }

  private abort(error: ProviderError): void {
    if (this.ended) return;
    this.ended = true;
    this.queue?.fail(error);
    this.controller?.abort(error);
    this.finish();
  }

  private finish(): void {
    this.request.signal?.removeEventListener("abort", this.onAbort);
    this.stopStalled();
    if (this.draining) clearTimeout(this.draining);
  }

  private stopStalled(): void {
    if (this.stalled) clearTimeout(this.stalled);
    this.stalled = undefined;
  }
}
