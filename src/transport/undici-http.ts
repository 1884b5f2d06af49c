// One HTTP exchange over undici's connection pool, for processes that make many calls
// (see HttpClientChoice in http.ts). Driven through the dispatcher's handler interface
// rather than undici.request: no Readable per response, so the chunks go straight from
// the socket into our bounded queue. Behaves like node-http.ts: the same errors and
// timeouts, keep-alive kept when the caller stops reading early, abort by signal.
import type { Agent, Dispatcher } from "undici";
import { ProviderError } from "../errors.js";
import { BodyQueue } from "./body-queue.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { abortedError, closedMidResponseError, flattenHeaders, headersTimeoutError, IdleTimer, idleTimeoutError, networkError } from "./http-failures.js";
import { DRAIN_MS, HIGH_WATER_CHUNKS } from "./node-http.js";

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
      throw new ProviderError("config_error", `The undici HTTP client could not be loaded: ${error instanceof Error ? error.message : String(error)}`, {
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
  if (code === "UND_ERR_INVALID_ARG") return new ProviderError("config_error", `The request to ${url.origin} is invalid: ${(error as Error).message}`);
  if (started) return closedMidResponseError(url, error);
  return networkError(error, url);
}

export function sendUndici(agent: Agent, request: HttpRequest, url: URL): Promise<HttpResponse> {
  const { signal } = request;
  if (signal?.aborted) return Promise.reject(abortedError());
  return new Promise<HttpResponse>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let queue: BodyQueue | undefined;
    let ended = false;
    let draining: NodeJS.Timeout | undefined;
    const idle = new IdleTimer(request.idleTimeoutMs, () => abort(idleTimeoutError(url, request.idleTimeoutMs!)));
    const abort = (error: ProviderError) => {
      if (ended) return;
      ended = true;
      queue?.fail(error);
      controller?.abort(error);
      finish();
    };
    const onAbort = () => abort(abortedError());
    signal?.addEventListener("abort", onAbort); // removed when done: no { once }, which costs ~10 µs a call on Node 20
    const finish = () => {
      signal?.removeEventListener("abort", onAbort);
      idle.stop();
      if (draining) clearTimeout(draining);
    };

    let consumed = false;
    const body = (): AsyncIterator<Buffer> => {
      if (consumed) throw new Error("response body already consumed");
      consumed = true;
      return queue!.reader((outcome, error) => {
        if (outcome === "failed") {
          abort(abortedError()); // releases the socket; a no-op when the failure came from undici
          return providerError(error, url, request, true);
        }
        if (outcome === "stopped" && !ended) {
          // The caller stopped early (e.g. at the terminal event, before the body's end):
          // let the rest arrive and drop it, briefly, so the keep-alive socket survives.
          queue = undefined;
          controller?.resume();
          draining = setTimeout(() => abort(abortedError()), DRAIN_MS);
          draining.unref();
        }
        return undefined;
      });
    };

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (ended) started.abort(abortedError());
      },
      onResponseStart(started, status, headers) {
        const paused = started;
        queue = new BodyQueue({ pause: () => paused.pause(), resume: () => paused.resume(), isPaused: () => paused.paused }, HIGH_WATER_CHUNKS);
        idle.touch();
        resolve({
          status,
          headers: flattenHeaders(headers),
          body: { [Symbol.asyncIterator]: body },
          destroy: () => abort(abortedError()),
        });
      },
      onResponseData(_controller, chunk) {
        idle.touch();
        queue?.push(chunk);
      },
      onResponseEnd() {
        ended = true;
        queue?.end();
        finish();
      },
      onResponseError(_controller, error) {
        const failure = providerError(error, url, request, queue !== undefined);
        ended = true;
        finish();
        if (queue) queue.fail(failure);
        else reject(failure);
      },
    };
    agent.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: request.headers,
        body: request.body,
        // 0 turns undici's own limits off where the caller set none, as node:http has none.
        headersTimeout: request.headersTimeoutMs ?? 0,
        // The idle timer above measures the gap between chunks, as in node-http.ts.
        bodyTimeout: 0,
      },
      handler,
    );
  });
}
