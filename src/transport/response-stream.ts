// One model call: send, classify, retry, parse, map. Knows nothing about where the
// token came from: it asks the AuthSource for headers and tells it about a 401.
import type { AuthSource } from "./auth-source.js";
import { ProviderError } from "../errors.js";
import type { RateLimitSnapshot, ResponseResult, StreamEvent } from "../types.js";
import { Attempts } from "./attempts.js";
import { readErrorExcerpt } from "./body-text.js";
import { noteAutoCall, send, type HttpClientChoice } from "./http.js";
import { mergeRateLimits, parseRateLimitHeaders } from "./rate-limits.js";
import type { Clock, RetryPolicy } from "./retry.js";
import type { NoticeHandler } from "../notice.js";
import { parseSse, type SseMessage } from "./sse.js";
import { frameEvent, sseBlocks, type SseBlock } from "./sse-blocks.js";

type Json = Record<string, unknown>;

/** Turns decoded wire events into typed events; `result` is set at the terminal event. */
export interface EventMapper {
  map(event: Json): StreamEvent[];
  /** Called for `data: [DONE]` (Chat Completions' end marker). */
  onDone?(): StreamEvent[];
  /**
   * For `rawEvents: "sse"` calls, how an event of this type travels: `pass` as bytes, not
   * decoded (the mapper has no use for it); `read` decoded for the mapper and forwarded;
   * `own` decoded for the mapper and not forwarded (not an event of the wire API the
   * caller relays). Without it every event is `read`.
   */
  relay?(type: string): "pass" | "read" | "own";
  readonly result?: ResponseResult;
}

export interface MapperContext {
  requestId?: string;
  rateLimits: () => RateLimitSnapshot | undefined;
}

export interface Endpoint {
  url: string;
  auth: AuthSource;
  /** Static headers (originator, session id, user agent, …); auth headers are added per attempt. */
  headers: Record<string, string>;
  createMapper(context: MapperContext): EventMapper;
}

export interface TransportOptions {
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Default 300 s (Codex's stream idle timeout). */
  idleTimeoutMs?: number;
  /** Default 60 s. */
  headersTimeoutMs?: number;
  /** Largest SSE line or event (and JSON body) accepted; default 16 MiB. Past it: `protocol_error`. */
  maxEventBytes?: number;
  /** Retries, warnings and experimental-provider notices (see Notice); the library prints nothing itself. */
  onNotice?: NoticeHandler;
  /**
   * The HTTP client for model calls (see HttpClientChoice). Default `auto`: node:http
   * until undici, loaded in the background from the process's second call on, is ready.
   */
  httpClient?: HttpClientChoice;
}

const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;

const CONTENT_EVENTS = new Set<StreamEvent["type"]>([
  "text_delta",
  "reasoning_summary_delta",
  "function_call_start",
  "function_call_arguments_delta",
  "function_call",
  "output_item_done",
]);

/** Content (or a raw wire event) reached the caller: repeating the call would repeat it. */
export function isContentEvent(event: StreamEvent): boolean {
  return CONTENT_EVENTS.has(event.type) || event.type === "raw" || event.type === "sse";
}

/** The async iterable every `stream()` call returns; `result()` works with or without iterating. */
export class ResponseStream implements AsyncIterable<StreamEvent> {
  private started = false;
  private settle!: { resolve(r: ResponseResult): void; reject(e: unknown): void };
  private readonly resultPromise: Promise<ResponseResult>;

  /** `release` runs once the stream has settled (e.g. unlinking the caller's signal). */
  constructor(
    private readonly source: AsyncGenerator<StreamEvent[]>,
    private readonly controller: AbortController,
    release?: () => void,
  ) {
    this.resultPromise = new Promise<ResponseResult>((resolve, reject) => {
      this.settle = release
        ? {
            resolve: (result) => {
              release();
              resolve(result);
            },
            reject: (error) => {
              release();
              reject(error);
            },
          }
        : { resolve, reject };
    });
    // Consumers that only iterate never look at result(); don't report it unhandled.
    this.resultPromise.catch(() => {});
  }

  /** A hand-written iterator (not an async generator) to save a hop per event. */
  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.started) throw new Error("A ResponseStream can be iterated only once; use result() for the final value.");
    this.started = true;
    const { source, controller, settle } = this;
    let finished = false;
    let buffer: StreamEvent[] = [];
    let index = 0;
    const fail = (error: unknown) => {
      finished = true;
      settle.reject(error);
    };
    const take = (): IteratorResult<StreamEvent> => {
      const event = buffer[index++];
      if (event.type === "done") {
        finished = true;
        settle.resolve(event.result);
      }
      return { done: false, value: event };
    };
    const pull = async (): Promise<IteratorResult<StreamEvent>> => {
      while (index >= buffer.length) {
        let step: IteratorResult<StreamEvent[]>;
        try {
          step = await source.next();
        } catch (error) {
          fail(error);
          throw error;
        }
        if (step.done) {
          if (!finished) fail(new ProviderError("stream_truncated", "The stream ended without a result."));
          return { done: true, value: undefined };
        }
        buffer = step.value;
        index = 0;
      }
      return take();
    };
    return {
      next(): Promise<IteratorResult<StreamEvent>> {
        // Buffered events resolve at once; only an empty buffer waits for the network.
        return index < buffer.length ? Promise.resolve(take()) : pull();
      },
      async return() {
        if (!finished) {
          controller.abort();
          fail(new ProviderError("aborted", "The stream was closed before it finished."));
        }
        await source.return(undefined);
        return { done: true, value: undefined };
      },
    };
  }

  /**
   * A stream whose request starts once `open` resolves (e.g. after a provider module
   * loads); errors from `open` surface through iteration and `result()`.
   */
  static deferred(open: () => Promise<ResponseStream>, signal?: AbortSignal): ResponseStream {
    const controller = new AbortController();
    const unlink = linkAbort(signal, controller);
    async function* source(): AsyncGenerator<StreamEvent[]> {
      const inner = await open();
      linkAbort(controller.signal, inner.controller);
      inner.started = true;
      yield* inner.source;
    }
    return new ResponseStream(source(), controller, unlink);
  }

  /** The final result; consumes the stream if nobody is iterating it. */
  result(): Promise<ResponseResult> {
    if (!this.started) {
      void (async () => {
        for await (const _ of this) {
          // Draining: the iterator settles the result.
        }
      })().catch(() => {});
    }
    return this.resultPromise;
  }

  /** Cancel the request; iteration and result() reject with `aborted`. */
  abort(): void {
    this.controller.abort();
  }
}

/** Per-call options of stream(), streamBody() and complete(); listModels() and usage() take `signal`. */
export interface CallOptions {
  /** Cancels the call; it then rejects with `aborted`. */
  signal?: AbortSignal;
  /**
   * `true`: also yield each decoded wire event as `{type:"raw"}`. `"sse"` (streamBody, for a
   * Responses pass-through server): yield the upstream's event blocks as bytes, `{type:"sse"}`,
   * decoding only the events the library reads; the typed events then carry no deltas, and
   * `result` only what those events hold (output items, usage, status).
   */
  rawEvents?: boolean | "sse";
  /** Headers for this call only, applied after the auth and provider headers (e.g. a per-conversation session id). */
  headers?: Record<string, string>;
}

const linked = () => {};

/**
 * Aborts `controller` when `signal` does. Returns the unlink, for when the call has
 * settled: a caller's long-lived signal must not collect a listener (and keep a
 * controller alive) per call.
 */
export function linkAbort(signal: AbortSignal | undefined, controller: AbortController): () => void {
  if (!signal) return linked;
  if (signal.aborted) {
    controller.abort();
    return linked;
  }
  const onAbort = () => controller.abort();
  signal.addEventListener("abort", onAbort);
  return () => signal.removeEventListener("abort", onAbort);
}

export function openStream(endpoint: Endpoint, body: Json, options: TransportOptions = {}, call: CallOptions = {}): ResponseStream {
  const controller = new AbortController();
  const unlink = linkAbort(call.signal, controller);
  return new ResponseStream(run(endpoint, JSON.stringify(body), options, controller.signal, call), controller, call.signal && unlink);
}

/** What survives across attempts of one call. */
interface StreamState {
  /** Content (or raw events) reached the caller: a retry would repeat it. */
  delivered: boolean;
  createdSent: boolean;
  rateLimits: RateLimitSnapshot | undefined;
}

/**
 * Decode and map the messages of one network chunk. A plain function, kept out of
 * the generator so the per-event work stays in optimizable code; events leave in
 * one batch per chunk to keep per-event overhead low.
 */
function mapBatch(
  batch: SseMessage[],
  mapper: EventMapper,
  state: StreamState,
  rawEvents: boolean,
  options: TransportOptions,
): Mapped {
  const out: StreamEvent[] = [];
  for (const message of batch) {
    let events: StreamEvent[];
    if (message.data === "[DONE]") {
      events = mapper.onDone?.() ?? [];
    } else {
      const json = decodeEvent(message.data, options);
      if (!json) continue;
      if (rawEvents) {
        // A pass-through caller forwards raw events as they come; a retry would send them twice.
        state.delivered = true;
        out.push({ type: "raw", event: json, data: message.data });
      }
      try {
        events = mapper.map(json);
      } catch (error) {
        return { events: out, failure: error };
      }
    }
    collect(events, out, state);
    if (mapper.result) break;
  }
  return { events: out };
}

/**
 * `rawEvents: "sse"`: the event blocks of one network chunk, for a pass-through server.
 * Only the events the mapper reads were decoded (see EventMapper.relay); the rest pass
 * as bytes. Delivered is what the server forwards: not the backend's own events.
 */
function relayBatch(batch: SseBlock[], mapper: EventMapper, state: StreamState, options: TransportOptions): Mapped {
  const out: StreamEvent[] = [];
  for (const block of batch) {
    const message = block.message;
    let bytes = block.bytes;
    if (!message) {
      state.delivered = true;
      out.push({ type: "sse", bytes });
      continue;
    }
    if (message.data === "[DONE]") {
      collect(mapper.onDone?.() ?? [], out, state);
      continue;
    }
    const json = decodeEvent(message.data, options);
    if (!json) continue;
    const type = String(json.type);
    const forwarded = mapper.relay?.(type) !== "own";
    // The Responses stream names every event on its `event:` line, and clients may dispatch on it:
    // an upstream that left it out gets it.
    if (message.event === undefined && typeof json.type === "string") bytes = frameEvent(json.type, message.data);
    let events: StreamEvent[];
    try {
      events = mapper.map(json);
    } catch (error) {
      // A failure event before anything was forwarded is not forwarded either: the call
      // can still be retried, or answered with the failure's HTTP status.
      if (forwarded && state.delivered) out.push({ type: "sse", bytes, event: json });
      return { events: out, failure: error };
    }
    if (forwarded) {
      state.delivered = true;
      out.push({ type: "sse", bytes, event: json });
    }
    collect(events, out, state);
    if (mapper.result) break;
  }
  return { events: out };
}

/** An event's JSON; undecodable data is skipped with a warning. */
function decodeEvent(data: string, options: TransportOptions): Json | undefined {
  try {
    return JSON.parse(data) as Json;
  } catch {
    // docs/protocol.md#sse-framing: log and skip undecodable lines; the terminal check still guards truncation.
    options.onNotice?.({ code: "warning", message: `Skipped an undecodable stream event (${data.length} bytes).` });
    return undefined;
  }
}

/** Mapped events into `out`, keeping the call's state: one `created`, merged rate limits, whether content went out. */
function collect(events: StreamEvent[], out: StreamEvent[], state: StreamState): void {
  for (const event of events) {
    if (event.type === "created") {
      if (state.createdSent) continue;
      state.createdSent = true;
    } else if (event.type === "rate_limits") {
      state.rateLimits = mergeRateLimits(state.rateLimits, event.rateLimits);
    } else if (CONTENT_EVENTS.has(event.type)) {
      state.delivered = true;
    }
    out.push(event);
  }
}

type Mapped = { events: StreamEvent[]; failure?: unknown };

/** Each batch of `batches` through `map`: a plain iterator, cheaper than a generator hop per chunk. */
function mapBatches<T>(batches: AsyncGenerator<T>, map: (batch: T) => Mapped): AsyncIterable<Mapped> {
  const iterator: AsyncIterator<Mapped> = {
    next: () => batches.next().then((step) => (step.done ? step : { done: false, value: map(step.value) })),
    // Leaving the loop (a failure, or the terminal event) closes the SSE reader.
    return: async () => {
      await batches.return(undefined);
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

async function* run(
  endpoint: Endpoint,
  bodyText: string,
  options: TransportOptions,
  signal: AbortSignal,
  call: CallOptions,
): AsyncGenerator<StreamEvent[]> {
  const rawEvents = call.rawEvents ?? false;
  const state: StreamState = { delivered: false, createdSent: false, rateLimits: undefined };
  // Once text reached the caller a retry would repeat it: the error surfaces instead.
  const attempts = new Attempts({ auth: endpoint.auth, signal, retry: options.retry, clock: options.clock, onNotice: options.onNotice, canRetry: () => !state.delivered });

  for (;;) {
    try {
      if (signal.aborted) throw new ProviderError("aborted", "The request was aborted.");
      const authHeaders = await attempts.authHeaders();
      const sending = send({
        url: endpoint.url,
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream", ...endpoint.headers, ...authHeaders, ...call.headers },
        body: bodyText,
        signal,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
        client: options.httpClient,
      });
      if ((options.httpClient ?? "auto") === "auto") noteAutoCall();
      const response = await sending;
      const requestId = response.headers["x-request-id"] ?? response.headers["x-oai-request-id"];
      const headerLimits = parseRateLimitHeaders(response.headers);
      state.rateLimits = mergeRateLimits(state.rateLimits, headerLimits);

      if (response.status >= 400) {
        await attempts.rejected(response.status, response.headers, await readErrorExcerpt(response), { rateLimits: state.rateLimits, requestId });
        continue;
      }

      if (headerLimits) yield [{ type: "rate_limits", rateLimits: headerLimits }];
      const mapper = endpoint.createMapper({ requestId, rateLimits: () => state.rateLimits });
      try {
        const batches =
          rawEvents === "sse"
            ? mapBatches(
                sseBlocks(response.body, (type) => mapper.relay?.(type) !== "pass", options.maxEventBytes),
                (batch) => relayBatch(batch, mapper, state, options),
              )
            : mapBatches(parseSse(response.body, options.maxEventBytes), (batch) => mapBatch(batch, mapper, state, rawEvents, options));
        for await (const { events, failure } of batches) {
          // What arrived before a failure event still reaches the caller first.
          if (events.length > 0) yield events;
          if (failure !== undefined) throw failure;
          if (mapper.result) return;
        }
      } catch (error) {
        // A failed stream (e.g. an oversized line) is not drained for keep-alive: its rest may be endless.
        response.destroy();
        throw error;
      }
      throw new ProviderError(
        "stream_truncated",
        "The stream ended before the response completed (no terminal event); the answer may be cut off.",
        { retryable: true, requestId },
      );
    } catch (caught) {
      await attempts.failed(caught);
    }
  }
}
