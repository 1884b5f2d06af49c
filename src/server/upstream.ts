// Opening the upstream call, and what to do about request fields it rejects.
//
// A field is dropped (and named in `x-codex-provider-dropped-params`) only when the answer stays a correct
// answer to the request without it: sampling knobs, output caps, bookkeeping and caching hints
// (docs/protocol.md#siwc-inference "must be omitted", docs/protocol.md#codex-rejected-fields "rejects"), and
// hosted tools the upstream cannot run (Codex always offers `tool_search`, which plan usage refuses): the
// model answers without that tool. A field that changes what the request means — `conversation`,
// `background`, `prompt`, `top_logprobs`, `stop`, audio — is a 400. (`previous_response_id` never gets here
// on a stateless upstream: conversation.ts has replaced it with the history.)
//
// Rejections come from the provider's own policy (thrown before any network call) or
// from the upstream (an HTTP 400 "Unsupported parameter"); either way nothing has been
// sent to our client yet, so the call is simply opened again without the field.
import { ProviderError } from "../errors.js";
import { pipeEvents, type BatchHandler, type ResponseStream } from "../transport/response-stream.js";
import type { FallbackSwitch, ModelRequest, StreamEvent } from "../types.js";
import { toolsOf } from "../wire/responses-request.js";

type Json = Record<string, unknown>;

/** Responses wire fields that are safe to drop when the upstream rejects them. */
const SAFE_TO_DROP: ReadonlySet<string> = new Set([
  "temperature",
  "top_p",
  "max_output_tokens",
  "max_completion_tokens",
  "max_tool_calls",
  "metadata",
  "user",
  "safety_identifier",
  "prompt_cache_retention",
  // "auto" only matters when the context overflows, which then fails loudly instead.
  "truncation",
  // Asking to store a response on a stateless endpoint: the answer is the same.
  "store",
  "stream_options",
]);

/** A bound on re-opening, whatever the upstream keeps rejecting. */
const MAX_DROPS = 16;

/** The request field an upstream rejection names, if it is a rejection of a field. */
export function rejectedParam(error: unknown): string | undefined {
  if (!(error instanceof ProviderError) || (error.code !== "unsupported_parameter" && error.code !== "bad_request")) return undefined;
  if (error.param) return error.param;
  // The Codex backend answers `{"detail":"Unsupported parameter: max_output_tokens"}`
  // (docs/protocol.md#codex-rejected-fields).
  return /unsupported parameter:?\s*'?([A-Za-z_][\w.]*)/i.exec(error.message)?.[1];
}

export interface OpenedStream {
  /** The first event, already read: the upstream accepted the request. */
  first: IteratorResult<StreamEvent>;
  events: AsyncIterator<StreamEvent>;
  /** What was dropped to get here, as the client named it. */
  dropped: string[];
  /** Fallback switches before the first event (they come before any content). */
  fallbacks: FallbackSwitch[];
}

/**
 * Open the call and read its first event, dropping rejected fields while that is safe.
 * `drop(param)` removes the field from the request and returns the name to report, or
 * undefined when it could not (absent, or not safe): then the rejection is thrown as is.
 */
export async function openUpstream(open: () => ResponseStream, drop: (param: string) => string | undefined): Promise<OpenedStream> {
  const dropped: string[] = [];
  for (;;) {
    try {
      const events = open()[Symbol.asyncIterator]();
      const fallbacks: FallbackSwitch[] = [];
      let first = await events.next();
      for (; !first.done && first.value.type === "fallback"; first = await events.next()) {
        const { type: _type, ...step } = first.value;
        fallbacks.push(step);
      }
      return { first, events, dropped, fallbacks };
    } catch (error) {
      const param = rejectedParam(error);
      const label = param !== undefined && dropped.length < MAX_DROPS ? drop(param) : undefined;
      if (label === undefined) throw error;
      dropped.push(label);
    }
  }
}

/** `drop` for a Responses wire body: safe top-level fields, and non-function tools by index (`tools[3]`). */
export function dropFromBody(body: Json, param: string): string | undefined {
  const tool = /^tools\[(\d+)\]$/.exec(param);
  if (tool) {
    const tools = [...toolsOf(body)];
    const [removed] = tools.splice(Number(tool[1]), 1);
    if (!removed || removed.type === "function") return undefined;
    body.tools = tools;
    return `tools[${String(removed.type)}]`;
  }
  if (!SAFE_TO_DROP.has(param) || !(param in body)) return undefined;
  delete body[param];
  return param;
}

const REQUEST_FIELDS: Record<string, "temperature" | "topP" | "maxOutputTokens" | "metadata" | "store"> = {
  temperature: "temperature",
  top_p: "topP",
  max_output_tokens: "maxOutputTokens",
  metadata: "metadata",
  store: "store",
};

/**
 * `drop` for a ModelRequest: removes the field behind a rejected Responses wire field
 * and returns the name the client used for it (`clientNames`, e.g. Chat's `max_tokens`).
 */
export function dropFromRequest(request: ModelRequest, wireField: string, clientNames: Record<string, string> = {}): string | undefined {
  if (!SAFE_TO_DROP.has(wireField)) return undefined;
  const field = REQUEST_FIELDS[wireField];
  if (field) {
    if (request[field] === undefined) return undefined;
    delete request[field];
  } else {
    if (!request.extraBody || !(wireField in request.extraBody)) return undefined;
    delete request.extraBody[wireField];
  }
  return clientNames[wireField] ?? wireField;
}

/**
 * Iterate an opened stream from its first event. A plain iterator rather than an async
 * generator: one promise per event instead of a generator hop on top of the stream's.
 */
export function eventsOf(opened: OpenedStream): AsyncIterable<StreamEvent> {
  return {
    [Symbol.asyncIterator]() {
      let first: IteratorResult<StreamEvent> | undefined = opened.first;
      return {
        next() {
          if (!first) return opened.events.next();
          const step = first;
          first = undefined;
          return Promise.resolve(step);
        },
        // A consumer that stops early must still cancel the upstream request (a finished stream ignores this).
        async return() {
          await opened.events.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/**
 * Runs `handle` on an opened stream's events from its first, a batch at a time, pushed as
 * the upstream's chunks arrive where the transport can (see pipeEvents).
 */
export function pipeOpened(opened: OpenedStream, handle: BatchHandler): Promise<void> {
  return opened.first.done ? Promise.resolve() : pipeEvents(opened.events, handle, opened.first.value);
}

export const DROPPED_HEADER = "x-codex-provider-dropped-params";

export const FALLBACK_HEADER = "x-codex-provider-fallback";

/**
 * `chatgpt-codex->openai; resets 2026-11-30T16:40:00Z`, one element per switch. ASCII
 * `->`: header values are Latin-1 and Node refuses `→` (U+2192).
 */
export function fallbackHeaderValue(steps: readonly FallbackSwitch[]): string {
  return steps.map((s) => `${s.from}->${s.to}${s.resetsAt === undefined ? "" : `; resets ${new Date(s.resetsAt).toISOString().replace(/\.\d{3}Z$/, "Z")}`}`).join(", ");
}
