// POST /v1/responses. A provider that speaks Responses gets the client's body as is (after its own policy,
// docs/protocol.md#siwc-inference and docs/protocol.md#codex-body) and its events come back as the upstream
// wrote them, one write per upstream chunk — Codex's custom, namespace and web_search tools and every event
// type included; only the backend's own `codex.*` events stay behind, and an event's `response` is rewritten
// when the client must see its `previous_response_id`. A Chat Completions provider
// gets the body translated, and the answer is rebuilt as Responses events. The HTTP status is chosen only
// after the upstream accepted the request, so a usage limit or login problem is a real 429/401, not an event
// in a 200.
import { isProviderError } from "../errors.js";
import { toInputItems } from "../wire/responses-request.js";
import type { FallbackSwitch, ResponseResult, StreamEvent } from "../types.js";
import { upstreamHeaders, failure, sendJson, type RouteContext } from "./route-context.js";
import { requireString, type Deferral } from "./request-body.js";
import { ResponsesSynthesizer } from "../wire/responses-synth.js";
import { responsesToModelRequest } from "../wire/responses-to-request.js";
import { SseWriter } from "./sse-writer.js";
import { asContinued, continuation, keep, type Continuation } from "./conversation.js";
import { jsonBytes } from "./context-parts.js";
import { memberBytes } from "./json-member.js";
import type { BodySource } from "../transport/body-source.js";
import { DeferredJson, settled } from "../transport/deferred-json.js";
import { pipeEvents, type BatchHandler } from "../transport/response-stream.js";
import { dropFromBody, dropFromRequest, eventsOf, openUpstream, pipeOpened, type OpenedStream } from "./upstream.js";

type Json = Record<string, unknown>;

/** Terminal events whose response is an answer worth keeping for a follow-up. */
const FINISHED = new Set(["response.completed", "response.done", "response.incomplete"]);
const TERMINAL = new Set([...FINISHED, "response.failed", "error"]);
/**
 * The events whose `response` a continued conversation rewrites (asContinued): the transport relays
 * them undecoded unless asked (the opening ones as bytes; a finished answer's terminal ahead of decoding it).
 */
const REWRITTEN_EVENTS: ReadonlySet<string> = new Set(["response.created", "response.queued", "response.in_progress", ...FINISHED]);

/** Keeps a finished response; `sourceBytes` as for keep() in conversation.ts. */
type Finished = (response: Json, sourceBytes: number | undefined) => void;

interface Answering {
  /**
   * Runs `handle` on the Responses wire events, a batch at a time: the upstream's as `sse`
   * blocks (bytes, decoded when the server must read them), synthesized ones as `raw`; the
   * typed `done` carries the result. Resolves after the last, rejects with the failure.
   */
  pipe(handle: BatchHandler): Promise<void>;
  dropped: string[];
  fallbacks: FallbackSwitch[];
}

/**
 * A long turn's history, and with it the instructions and tool schemas, stay the client's
 * text until something reads them: every reader of these members settles them (settled()).
 */
const DEFERRED: Deferral = { member: "input", alongside: ["instructions", "tools"] };

export async function handleResponses(ctx: RouteContext): Promise<void> {
  const source = await ctx.readBody(DEFERRED);
  const body = source.value;
  const model = requireString(body, "model");
  ctx.record.model = model;
  // Undefined when the model is known: no await, no promise job on the way to the upstream.
  const checking = ctx.catalog.check(model);
  if (checking) await checking;
  const continued = turnContinuation(ctx, source);
  const answering = await open(ctx, continued, model, source);
  ctx.record.dropped = answering.dropped;
  // Kept once finished: the upstream's terminal response, with the output the stream carried.
  const finished: Finished = (response, sourceBytes) => keep(ctx.responses.store, ctx.responses.scope, body, continued, response, sourceBytes);
  if (body.stream === true) await stream(ctx, answering, continued, finished);
  else await answer(ctx, answering, continued, finished);
}

/** What the turn sends upstream and keeps (conversation.ts), its input read. */
function turnContinuation(ctx: RouteContext, source: BodySource): Continuation {
  const body = source.value;
  const raw = body.input;
  // A fresh turn reads nothing of a long input the body reader left as text: it goes on
  // unparsed, as the client's bytes (unless the provider's policy reads it), and if the
  // turn is kept, it is kept as that text, parsed if a follow-up or a listing reads it.
  if (raw instanceof DeferredJson && typeof body.previous_response_id !== "string") return { upstream: body, context: raw, inputSize: () => raw.bytes.length };
  const given = settled(raw);
  // A bare string is one user message; the ChatGPT paths accept only the array form (docs/protocol.md#siwc-inference).
  const input = typeof given === "string" ? toInputItems(given, true) : Array.isArray(given) ? (given as Json[]) : [];
  // The client's own array is counted by the text it came in (a string became new items):
  // a deferred one's text is at hand, the body reader found it already.
  const text = () => (raw instanceof DeferredJson ? raw.bytes.length : memberBytes(source.bytes, "input"));
  const inputSize = () => (input === given ? text() : undefined) ?? jsonBytes(input);
  return continuation(ctx.provider, ctx.responses.store, ctx.responses.scope, body, input, inputSize);
}

/** `source`: the client's body, sent on as it came when the provider's policy keeps the members of `continued.upstream`. */
async function open(ctx: RouteContext, continued: Continuation, model: string, source: BodySource): Promise<Answering> {
  const body = continued.upstream;
  const upstream: Json = { ...body };
  // Their `response` is rewritten for a continued conversation (asContinued); otherwise they pass as bytes.
  const decode = continued.expandedFrom === undefined ? undefined : REWRITTEN_EVENTS;
  try {
    const opened = await openUpstream(
      () => ctx.inFlight.upstream(ctx.provider.streamBody(upstream, { rawEvents: "sse", decode, bodySource: source })),
      (param) => dropFromBody(upstream, param),
    );
    return { pipe: (handle) => pipeOpened(opened, handle), dropped: opened.dropped, fallbacks: opened.fallbacks };
  } catch (error) {
    // streamBody's config_error: this provider cannot take a Responses body (Chat wire).
    if (!isProviderError(error, "config_error")) throw error;
  }
  const { request, dropped } = responsesToModelRequest(body, model);
  const opened = await openUpstream(
    () => ctx.inFlight.upstream(ctx.provider.stream(request)),
    (param) => dropFromRequest(request, param),
  );
  const events = synthesized(opened, model);
  return { pipe: (handle) => pipeEvents(events, handle), dropped: [...dropped, ...opened.dropped], fallbacks: opened.fallbacks };
}

async function* synthesized(opened: OpenedStream, model: string): AsyncGenerator<StreamEvent> {
  const synthesizer = new ResponsesSynthesizer(model);
  for (const event of synthesizer.start()) yield { type: "raw", event };
  for await (const event of eventsOf(opened)) {
    for (const raw of synthesizer.map(event)) yield { type: "raw", event: raw };
    if (event.type === "done") yield event;
  }
}

async function stream(ctx: RouteContext, answering: Answering, continued: Continuation, finished: Finished): Promise<void> {
  const release = ctx.record.hold();
  try {
    await relayStream(ctx, answering, continued, finished);
  } finally {
    release();
  }
}

async function relayStream(ctx: RouteContext, answering: Answering, continued: Continuation, finished: Finished): Promise<void> {
  const writer = new SseWriter(ctx.res);
  writer.start(upstreamHeaders(answering.dropped, answering.fallbacks));
  let sequence = -1;
  /** The last upstream bytes passed on undecoded: where the latest sequence number is, should the stream break. */
  let passed: Uint8Array | undefined;
  let ended = false;
  let terminal: Json | undefined;
  let kept: Json | undefined;
  const source = new SourceBytes();
  /** One wire event: forwarded as it came (`bytes`) unless the client must see its `response` changed. */
  const relay = (wire: Json, bytes: Uint8Array | undefined): Promise<void> | undefined => {
    const type = String(wire.type);
    if (typeof wire.sequence_number === "number") sequence = wire.sequence_number;
    ended ||= TERMINAL.has(type);
    const response = responseOf(wire);
    const shown = response && asContinued(response, continued);
    if (FINISHED.has(type) && shown) terminal = shown;
    if (shown !== response) return writer.send({ ...wire, response: shown }, type);
    return bytes ? writer.forward(bytes) : writer.send(wire, type);
  };
  // One upstream chunk's events. They leave at the end of the tick with any other chunk
  // that came in the same socket read (the writer's flush); while the client's socket is
  // full, the next batch waits.
  const handle: BatchHandler = (events) => {
    let full: Promise<void> | undefined;
    for (const event of events) {
      source.note(event);
      if (event.type === "sse" && event.event) full = relay(event.event, event.bytes);
      else if (event.type === "sse") {
        full = writer.forward((passed = event.bytes));
        // A finished answer's terminal event, ahead of its decoding: the client's answer is
        // complete, and ends now rather than after the transport has read it.
        if (event.kept !== undefined && FINISHED.has(event.kept)) {
          ended = true;
          writer.end();
        }
      } else if (event.type === "raw") full = relay(event.event, undefined);
      else if (event.type === "done") {
        ctx.record.usage = event.result.usage;
        terminal ??= event.response && asContinued(event.response, continued);
        if (terminal) kept = withOutput(terminal, event.result);
      }
    }
    return full;
  };
  try {
    // The backend's own `codex.*` events (docs/protocol.md#codex-rate-limits) never get here:
    // the transport reads them and relays only Responses events.
    await answering.pipe(handle);
  } catch (error) {
    const { body } = failure(ctx, error);
    // An upstream failure event was already passed through; anything else (truncation,
    // idle timeout, shutdown) gets the Responses `error` event so the client knows.
    if (!ended) {
      const next = Math.max(sequence, lastSequence(passed)) + 1;
      await writer.send({ type: "error", sequence_number: next, code: body.error.code, message: body.error.message, param: body.error.param }, "error");
    }
  } finally {
    writer.end();
  }
  // Stored once the answer has left (in promise jobs of the same turn of the event loop,
  // before any follow-up can be read): the client's last bytes wait neither for the
  // terminal event's decoding nor for the store.
  if (kept && terminal) finished(kept, source.of(kept, terminal));
}

/** Non-streaming: the terminal event's response object is the answer. */
async function answer(ctx: RouteContext, answering: Answering, continued: Continuation, finished: Finished): Promise<void> {
  let response: Json | undefined;
  let result: ResponseResult | undefined;
  const source = new SourceBytes();
  await answering.pipe((events) => {
    for (const event of events) {
      source.note(event);
      const wire = event.type === "sse" || event.type === "raw" ? event.event : undefined;
      if (wire && TERMINAL.has(String(wire.type)) && responseOf(wire)) response = responseOf(wire);
      else if (event.type === "done") {
        result = event.result;
        // The terminal event came undecoded (its bytes only): the transport read it for `done`.
        response ??= event.response;
      }
    }
    return undefined;
  });
  ctx.record.usage = result?.usage;
  const final = withOutput(asContinued({ ...response }, continued), result);
  // A result means a finished answer: a failed one rejects the pipe instead.
  if (result && response) finished(final, source.of(final, response));
  sendJson(ctx.res, 200, final, upstreamHeaders(answering.dropped, answering.fallbacks));
}

/** The highest `sequence_number` in undecoded upstream events (read only when a stream breaks). */
function lastSequence(bytes: Uint8Array | undefined): number {
  let last = -1;
  if (!bytes) return last;
  for (const match of Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8").matchAll(/"sequence_number":\s*(\d+)/g)) {
    last = Math.max(last, Number(match[1]));
  }
  return last;
}

function responseOf(event: Json): Json | undefined {
  return event.response && typeof event.response === "object" ? (event.response as Json) : undefined;
}

/** The ChatGPT backend may leave `output` empty in the terminal event; the items streamed before it are the output. */
function withOutput(response: Json, result: ResponseResult | undefined): Json {
  return Array.isArray(response.output) && response.output.length > 0 ? response : { ...response, output: result?.output ?? [] };
}

/**
 * The size of the upstream text a kept response was parsed from, so the store need not
 * serialize it to count it: the terminal event's block, plus the `output_item.done`
 * blocks when the output was taken from them (withOutput). Unknown when an event came
 * without its bytes (synthesized from a Chat Completions upstream).
 */
class SourceBytes {
  private terminal = 0;
  private items = 0;
  private known = true;

  /** One event of the answer: a decoded wire event (with its upstream block, if it came as one), or a kept one. */
  note(event: StreamEvent): void {
    if (event.type === "raw") this.saw(String(event.event.type), undefined);
    else if (event.type === "sse" && event.event) this.saw(String(event.event.type), event.bytes);
    else if (event.type === "sse" && event.kept) this.saw(event.kept, event.bytes);
  }

  private saw(type: string, bytes: Uint8Array | undefined): void {
    const item = type === "response.output_item.done";
    if (!item && !FINISHED.has(type)) return;
    if (!bytes) this.known = false;
    else if (item) this.items += bytes.length;
    else this.terminal += bytes.length;
  }

  /** For `kept`, built from a terminal event's `response`. */
  of(kept: Json, response: Json): number | undefined {
    if (!this.known) return undefined;
    return kept.output === response.output ? this.terminal : this.terminal + this.items;
  }
}
