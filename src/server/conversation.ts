// Conversation state for `POST /v1/responses`: what `previous_response_id` means for the
// upstream, and what of the answer is kept (response-store.ts).
//
// The `openai` provider talks to the Platform, which stores responses itself (store
// defaults to true there): its `previous_response_id` is forwarded unchanged, so ids the
// Platform made elsewhere keep working and Platform-side item references resolve. Every
// other upstream is treated as stateless (the ChatGPT-plan paths force `store: false`,
// docs/protocol.md#siwc-inference; a custom provider promises nothing): the id is looked
// up in the local store and replaced by the full input — the earlier turns' input and
// output items (reasoning with its `encrypted_content`) followed by the new input.
import type { Provider } from "../providers/provider.js";
import { ServerError } from "../wire/server-error.js";
import type { DeferredJson } from "../transport/deferred-json.js";
import { joinedBytes, jsonBytes, outputOf } from "./context-parts.js";
import type { HeldResponse, ResponseStore } from "./response-store.js";

type Json = Record<string, unknown>;

const STATEFUL_PROVIDERS: ReadonlySet<string> = new Set(["openai"]);

export interface Continuation {
  /** The body to send upstream. */
  upstream: Json;
  /** The turn's whole input (earlier turns included when known), to keep with its answer; a fresh turn's long input may still be its text. */
  context: Json[] | DeferredJson;
  /** The client's `previous_response_id`, when it was expanded here rather than forwarded. */
  expandedFrom?: string;
  /** `context`'s size as JSON when it continues a kept response (see NewResponse.inputBytes). */
  contextBytes?: number;
  /** When `context` is the client's input alone: its size, counted if the turn is kept. */
  inputSize?: InputSize;
  /** The kept response `context` continues, and the new input's size as JSON (see NewResponse.continues). */
  previous?: HeldResponse;
  addedBytes?: number;
}

/**
 * The size of the client's input as JSON, counted only when needed (a turn kept, or one
 * continuing a kept response): from the text the client sent it in (json-member.ts) when
 * the route has it, else serialized.
 */
export type InputSize = () => number;

/** `input`: the client's input as items; `inputSize`: its size (see InputSize), without which `input` is serialized when counted. */
export function continuation(provider: Provider, store: ResponseStore, scope: string, body: Json, input: Json[], inputSize: InputSize = () => jsonBytes(input)): Continuation {
  const previousId = body.previous_response_id;
  // Not expanded, the body goes as the client sent it: a string `input` stays one (the
  // provider's policy makes it items where the endpoint needs them), so its bytes can go too.
  if (typeof previousId !== "string") return { upstream: body, context: input, inputSize };
  const previous = store.get(scope, previousId);
  if (STATEFUL_PROVIDERS.has(provider.id)) return previous ? { upstream: body, ...continued(previous, input, inputSize) } : { upstream: body, context: input, inputSize };
  // The Platform's wording for an id it does not know.
  if (!previous) throw new ServerError(400, `Previous response with id '${previousId}' not found.`, "previous_response_not_found", { param: "previous_response_id" });
  const continuing = continued(previous, input, inputSize);
  const upstream: Json = { ...body, input: continuing.context };
  delete upstream.previous_response_id;
  return { upstream, ...continuing, expandedFrom: previousId };
}

/**
 * What a follow-up to `entry` continues from: its input, then its output, then the new
 * input; and that context's size as JSON, from the parts' sizes. Each turn serializes
 * only what it adds (the new input, the earlier output), not the whole conversation
 * again: counting a 160 KB context took ~1.4 ms per request.
 */
function continued(entry: HeldResponse, input: Json[], inputSize: InputSize): Required<Pick<Continuation, "context" | "contextBytes" | "previous" | "addedBytes">> {
  const output = outputOf(entry.response);
  const addedBytes = inputSize();
  const bytes = joinedBytes(joinedBytes(entry.inputBytes ?? jsonBytes(entry.input), jsonBytes(output)), addedBytes);
  return { context: [...entry.input, ...output, ...input], contextBytes: bytes, previous: entry, addedBytes };
}

/**
 * The response object as the client sees it (the answer, and each stream event's `response`):
 * the upstream's, with the `previous_response_id` the client sent (the stateless upstream never saw it).
 */
export function asContinued(response: Json, continued: Continuation): Json {
  return continued.expandedFrom === undefined ? response : { ...response, previous_response_id: continued.expandedFrom };
}

/** `"previous_response_id":"",` around the id asContinued() may add. */
const CONTINUED_FIELD_BYTES = 26;

/**
 * Keep a finished response unless the client said `store: false`. `sourceBytes`: the size
 * of the upstream text the response was parsed from, when known (see NewResponse).
 */
export function keep(store: ResponseStore, scope: string, body: Json, continued: Continuation, response: Json, sourceBytes?: number): void {
  if (body.store === false) return;
  const from = continued.expandedFrom;
  const responseBytes = sourceBytes === undefined || from === undefined ? sourceBytes : sourceBytes + Buffer.byteLength(from) + CONTINUED_FIELD_BYTES;
  const inputBytes = continued.contextBytes ?? continued.inputSize?.();
  store.put(scope, { response, input: continued.context, responseBytes, inputBytes, continues: continued.previous, addedBytes: continued.addedBytes });
}
