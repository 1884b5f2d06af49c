// What a route handler gets for one request, and the two ways it answers: a JSON
// body, or (once streaming has started) a final in-band error.
import type { Provider } from "../providers/provider.js";
import type { BodySource } from "../transport/body-source.js";
import type { RequestRecord } from "./access-log.js";
import { ServerError } from "../wire/server-error.js";
import { errorAnswer, type ErrorAnswer, type ErrorContext } from "./errors.js";
import type { InFlightRequest } from "./in-flight.js";
import type { ModelCatalog } from "./model-catalog.js";
import type { Deferral } from "./request-body.js";
import { DROPPED_HEADER, FALLBACK_HEADER, fallbackHeaderValue } from "./upstream.js";
import type { FallbackSwitch } from "../types.js";
import type { ResponseStore } from "./response-store.js";
import { writeHead, type Answer } from "./answer.js";

/** The response store and the caller's scope in it (a hash of the local key it sent). */
export interface ResponsesState {
  store: ResponseStore;
  scope: string;
}

export interface RouteContext {
  res: Answer;
  /**
   * Cancelled when the client disconnects or the server stops waiting for in-flight
   * requests; every upstream call is opened through its `upstream()` to be cancelled with it.
   */
  inFlight: InFlightRequest;
  provider: Provider;
  catalog: ModelCatalog;
  record: RequestRecord;
  errorContext: ErrorContext;
  /** The JSON object body, and the bytes it was parsed from; `deferred`: members that may be left unparsed (readJsonBody). */
  readBody(deferred?: Deferral): Promise<BodySource>;
  /** Path parameter (e.g. the model id of `/v1/models/{id}`). */
  param?: string;
  /** The URL's query parameters (parsed when called; most routes never ask). */
  query(): URLSearchParams;
  responses: ResponsesState;
}

export function sendJson(res: Answer, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  writeHead(res, status, headers, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Shutting down wins over whatever the aborted upstream call reported. */
export const SHUTDOWN = new ServerError(503, "codex-provider is shutting down; retry the request.", "server_shutting_down", {
  headers: { connection: "close", "x-should-retry": "true" },
});

/** The error answer for a failed request, recorded in the access log by code. */
export function failure(ctx: RouteContext, error: unknown): ErrorAnswer {
  const reason = ctx.inFlight.reason === SHUTDOWN ? SHUTDOWN : error;
  const answer = errorAnswer(reason, ctx.errorContext);
  ctx.record.error = String(answer.body.error.code ?? answer.status);
  return answer;
}

/** Response headers saying how the upstream call differed from the client's request: dropped fields, fallback switches. */
export function upstreamHeaders(dropped: readonly string[], fallbacks: readonly FallbackSwitch[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (dropped.length) headers[DROPPED_HEADER] = dropped.join(", ");
  if (fallbacks.length) headers[FALLBACK_HEADER] = fallbackHeaderValue(fallbacks);
  return headers;
}
