// One model call: send, classify, retry, parse, map. Knows nothing about where the
// token came from: it asks the AuthSource for headers and tells it about a 401.
import type { AuthSource } from "./auth-source.js";
import { ProviderError } from "../errors.js";
import type { RateLimitSnapshot, ResponseResult, StreamEvent } from "../types.js";
import { Attempts } from "./attempts.js";
import { readErrorExcerpt } from "./body-text.js";
import { bodyBytes, type BodySource } from "./body-source.js";
import { CallCancel, type CancelSignal } from "./call-cancel.js";
import { noteAutoCall, send, type HttpClientChoice, type HttpResponse, type RequestBody } from "./http.js";
import { mergeRateLimits, parseRateLimitHeaders } from "./rate-limits.js";
import type { Clock, RetryPolicy } from "./retry.js";
import type { NoticeHandler } from "../notice.js";
import { loadParser, SseDecoder, type SseMessage } from "./sse.js";
import { frameEvent, SseSplitter, type SseBlock } from "./sse-blocks.js";
// Types only: body-queue.ts loads with the HTTP clients, at the first call, not with the entry.
import type { BodyListener, ListenableBody } from "./body-queue.js";

type Json = Record<string, unknown>;

/** Turns decoded wire events into typed events; `result` is set at the terminal event. */
export interface EventMapper {
  /** Appends the typed events `event` maps to onto `out` (no array per event); throws a ProviderError for failure events. */
  map(event: Json, out: StreamEvent[]): void;
  /** Called for `data: [DONE]` (Chat Completions' end marker). */
  onDone?(out: StreamEvent[]): void;
  /**
   * For `rawEvents: "sse"` calls, how an event of this type travels: `pass` as bytes, not
   * decoded (the mapper has no use for it); `read` decoded for the mapper and forwarded;
   * `own` decoded for the mapper and not forwarded (not an event of the wire API the
   * caller relays); `keep` forwarded as bytes, its JSON text handed to keep() undecoded
   * (the mapper may need it at the end); `last` forwarded as bytes, ending its batch, then
   * decoded for the mapper in the next batch (a finished answer's terminal event: the
   * caller can pass it on, and end its own answer, before it is decoded).
   * Without it every event is `read`.
   */
  relay?(type: string): "pass" | "read" | "own" | "keep" | "last";
  /** An event's JSON text, for a type relay() says to `keep`. */
  keep?(data: string): void;
  readonly result?: ResponseResult;
}

export interface MapperContext {
  requestId?: string;
  rateLimits: () => RateLimitSnapshot | undefined;
  /** A relay (`rawEvents: "sse"`): `done` also carries the terminal event's response, whose bytes went out undecoded. */
  relay?: boolean;
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
  /** How the call ended, once it has. */
  private outcome: Outcome | undefined;
  /** result()'s promise, made only when asked for (most callers iterate), and how to settle it. */
  private resultPromise: Promise<ResponseResult> | undefined;
  private settleResult: (() => void) | undefined;

  /**
   * `source` yields batches of events (one network chunk's); `cancel` is the call's
   * cancellation; `release` runs once the stream has settled (e.g. unlinking the caller's signal).
   */
  constructor(
    private readonly source: AsyncIterator<StreamEvent[]>,
    private readonly cancel: CallCancel,
    private readonly release?: () => void,
  ) {}

  /** The first outcome wins. */
  private settle(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.release?.();
    this.settleResult?.();
  }

  /** A hand-written iterator (not an async generator) to save a hop per event. */
  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.started) throw new Error("A ResponseStream can be iterated only once; use result() for the final value.");
    this.started = true;
    return new EventIterator(this.source, this.cancel, (outcome) => this.settle(outcome));
  }

  /**
   * A stream whose request starts once `open` resolves (e.g. after a provider module
   * loads); errors from `open` surface through iteration and `result()`.
   */
  static deferred(open: () => Promise<ResponseStream>, signal?: AbortSignal): ResponseStream {
    const cancel = new CallCancel();
    const unlink = linkAbort(signal, cancel);
    const source = new DeferredSource(async () => {
      const inner = await open();
      linkAbort(cancel, inner.cancel);
      inner.started = true;
      return inner.source;
    });
    return new ResponseStream(source, cancel, unlink);
  }

  /** The final result; consumes the stream if nobody is iterating it. */
  result(): Promise<ResponseResult> {
    if (!this.resultPromise) {
      this.resultPromise = new Promise<ResponseResult>((resolve, reject) => {
        this.settleResult = () => {
          const outcome = this.outcome!;
          if (outcome.ok) resolve(outcome.result);
          else reject(outcome.error);
        };
      });
      if (this.outcome) this.settleResult!();
      // A caller may ask for it and then only iterate; don't report it unhandled.
      this.resultPromise.catch(() => {});
    }
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
    this.cancel.abort();
  }
}

type Outcome = { ok: true; result: ResponseResult } | { ok: false; error: unknown };

/**
 * deferred()'s batches: once `open` resolves, the inner stream's own, and its push
 * (listen) when it has one, rather than a generator hop per batch.
 */
class DeferredSource implements PushSource {
  private inner: AsyncIterator<StreamEvent[]> | undefined;
  private opening: Promise<AsyncIterator<StreamEvent[]>> | undefined;
  private closed = false;

  constructor(private readonly open: () => Promise<AsyncIterator<StreamEvent[]>>) {}

  next(): Promise<IteratorResult<StreamEvent[]>> {
    if (this.inner) return this.inner.next();
    if (this.closed) return Promise.resolve(DONE);
    return this.opened().then((inner) => inner.next());
  }

  /** Closed early: the inner stream's return(), once it is open (a failed open has nothing to close). */
  async return(): Promise<IteratorResult<StreamEvent[]>> {
    this.closed = true;
    const inner = this.inner ?? (await this.opening?.catch(() => undefined));
    await inner?.return?.();
    return DONE;
  }

  listen(consumer: BatchConsumer): boolean {
    return this.inner !== undefined && canPush(this.inner) && this.inner.listen(consumer);
  }

  private opened(): Promise<AsyncIterator<StreamEvent[]>> {
    this.opening ??= this.open().then((inner) => (this.inner = inner));
    return this.opening;
  }
}

/**
 * One network chunk's events at a time, for pipeEvents(). A promise holds the next batch
 * back until it resolves (a full socket downstream). A throw or a rejection cancels the
 * call, and pipeEvents() rejects with it.
 */
export type BatchHandler = (events: readonly StreamEvent[]) => Promise<void> | undefined;

/** Where a source that pushes (see PushSource) hands its batches. */
interface BatchConsumer {
  /** One batch; a promise when the consumer is full: the source waits for it before the next. */
  batch(events: StreamEvent[]): Promise<void> | undefined;
  /** The source stopped pushing (a failure, the end, a retry): the consumer pulls next() from here. */
  advance(): void;
}

/** A batch source that can push while it reads an answer, rather than answer a next() per chunk. */
interface PushSource extends AsyncIterator<StreamEvent[]> {
  /** Starts pushing to `consumer`; false when it cannot now (the consumer pulls next() instead). */
  listen(consumer: BatchConsumer): boolean;
}

function canPush(source: AsyncIterator<StreamEvent[]>): source is PushSource {
  return typeof (source as Partial<PushSource>).listen === "function";
}

/**
 * Runs `handle` on the rest of a ResponseStream's events, one batch (network chunk) at a
 * time; resolves after the last, rejects with the stream's failure. On a stream read
 * straight from the network the batches are pushed as the chunks arrive: no promise
 * per chunk, as a pipe would (a local server relaying many streams). `events` is the
 * stream's iterator, possibly partly read; `first`, an event already taken from it, goes
 * first.
 */
export function pipeEvents(events: AsyncIterator<StreamEvent>, handle: BatchHandler, first?: StreamEvent): Promise<void> {
  if (events instanceof EventIterator) return events.pipe(handle, first);
  return (async () => {
    const taken: IteratorResult<StreamEvent> | undefined = first && { done: false, value: first };
    for (let step = taken ?? (await events.next()); !step.done; step = await events.next()) {
      try {
        const full = handle([step.value]);
        if (full) await full;
      } catch (error) {
        await events.return?.();
        throw error;
      }
    }
  })();
}

/**
 * A ResponseStream's events, one `next()` each: the events of a batch (one network
 * chunk's) resolve at once; only an empty buffer waits for the source. Or, piped, a
 * batch at a time (see pipeEvents). One object per stream rather than a closure per
 * method.
 */
class EventIterator implements AsyncIterator<StreamEvent> {
  private finished = false;
  private buffer: StreamEvent[] = [];
  private index = 0;

  constructor(
    private readonly source: AsyncIterator<StreamEvent[]>,
    private readonly cancel: CallCancel,
    private readonly settle: (outcome: Outcome) => void,
  ) {}

  next(): Promise<IteratorResult<StreamEvent>> {
    return this.index < this.buffer.length ? Promise.resolve(this.take()) : this.pull();
  }

  async return(): Promise<IteratorResult<StreamEvent>> {
    if (!this.finished) {
      this.cancel.abort();
      this.fail(new ProviderError("aborted", "The stream was closed before it finished."));
    }
    await this.source.return?.();
    return { done: true, value: undefined };
  }

  /**
   * The buffer is spent: the next batch. Chained with handlers made once per stream
   * rather than an async function, whose every call and await allocate (this runs once
   * per network chunk).
   */
  private pull(): Promise<IteratorResult<StreamEvent>> {
    return this.source.next().then(this.onBatch, this.onFailure);
  }

  private readonly onBatch = (step: IteratorResult<StreamEvent[]>): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> => {
    if (step.done) {
      if (!this.finished) this.fail(endedWithoutResult());
      return { done: true, value: undefined };
    }
    this.buffer = step.value;
    this.index = 0;
    return this.buffer.length > 0 ? this.take() : this.pull();
  };

  private readonly onFailure = (error: unknown): never => {
    this.fail(error);
    throw error;
  };

  private take(): IteratorResult<StreamEvent> {
    const event = this.buffer[this.index++];
    if (event.type === "done") {
      this.finished = true;
      this.settle({ ok: true, result: event.result });
    }
    return { done: false, value: event };
  }

  private fail(error: unknown): void {
    this.finished = true;
    this.settle({ ok: false, error });
  }

  /** The rest of the stream, a batch at a time, after `first` (see pipeEvents). */
  pipe(handle: BatchHandler, first: StreamEvent | undefined): Promise<void> {
    // What is left of the batch next() was reading goes first, with the event taken from it.
    const rest = this.buffer.slice(this.index);
    if (first) rest.unshift(first);
    this.buffer = [];
    this.index = 0;
    return new Promise<void>((resolve, reject) => new BatchPipe(this.source, this.cancel, this.settle, handle, resolve, reject).start(rest));
  }
}

function endedWithoutResult(): ProviderError {
  return new ProviderError("stream_truncated", "The stream ended without a result.");
}

/**
 * EventIterator.pipe(): a stream's batches handed to `handle`, pushed by the source while
 * it reads an answer (PushSource), pulled from it otherwise. Made only for a piped stream,
 * so iterating pays for none of it.
 */
class BatchPipe implements BatchConsumer {
  /** The stream's `done` went by: its result is settled. */
  private finished = false;
  private ended = false;
  /** What the handler threw: the call is cancelled, and this is the pipe's failure. */
  private thrown: { error: unknown } | undefined;

  constructor(
    private readonly source: AsyncIterator<StreamEvent[]>,
    private readonly cancel: CallCancel,
    private readonly settle: (outcome: Outcome) => void,
    private readonly handle: BatchHandler,
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  start(rest: StreamEvent[]): void {
    const full = rest.length > 0 ? this.batch(rest) : undefined;
    if (full) void full.then(this.advance);
    else this.advance();
  }

  batch(events: StreamEvent[]): Promise<void> | undefined {
    for (const event of events) {
      if (event.type !== "done") continue;
      this.finished = true;
      this.settle({ ok: true, result: event.result });
    }
    if (this.ended || this.thrown) return undefined;
    try {
      const full = this.handle(events);
      return full && full.then(undefined, this.onHandlerFailure);
    } catch (error) {
      this.onHandlerFailure(error);
      return undefined;
    }
  }

  /** The next batches: pushed when the source can, else the next one pulled. */
  readonly advance = (): void => {
    if (this.ended) return;
    try {
      if (!canPush(this.source) || !this.source.listen(this)) this.source.next().then(this.onPulled, this.onFailure);
    } catch (error) {
      this.onFailure(error);
    }
  };

  private readonly onPulled = (step: IteratorResult<StreamEvent[]>): void => {
    if (step.done) return this.end(this.finished ? undefined : endedWithoutResult());
    const full = this.batch(step.value);
    if (full) void full.then(this.advance);
    else this.advance();
  };

  private readonly onFailure = (error: unknown): void => this.end(error);

  /** Pushed batches run inside the HTTP client's callbacks: a handler's failure must not escape there. */
  private readonly onHandlerFailure = (error: unknown): void => {
    this.thrown ??= { error };
    this.cancel.abort();
  };

  /** The stream failed (`streamError`) or ended: the stream's outcome, if its events did not settle it, then the pipe's. */
  private end(streamError: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (streamError !== undefined) this.settle({ ok: false, error: streamError });
    const error = this.thrown ? this.thrown.error : streamError;
    if (error === undefined) this.resolve();
    else this.reject(error);
  }
}

/** Per-call options of stream(), streamBody() and complete(); listModels() and usage() take `signal`. */
export interface CallOptions {
  /** Cancels the call; it then rejects with `aborted`. */
  signal?: AbortSignal;
  /**
   * `true`: also yield each decoded wire event as `{type:"raw"}`. `"sse"` (streamBody, for a
   * Responses pass-through server): yield the upstream's event blocks as bytes, `{type:"sse"}`,
   * decoding only the events the library reads (and `decode`'s); the typed events then carry
   * no deltas and no `created`, and `result` only what those events hold (output items,
   * usage, status).
   */
  rawEvents?: boolean | "sse";
  /**
   * With `rawEvents: "sse"`: event types to decode (and hand over with their bytes) besides
   * those the mapper reads, for a relay that rewrites them.
   */
  decode?: ReadonlySet<string>;
  /** Headers for this call only, applied after the auth and provider headers (e.g. a per-conversation session id). */
  headers?: Record<string, string>;
  /**
   * streamBody: the client's body the given one was derived from. Its bytes are sent as they
   * came when the body (after the provider's policy) still has the same members.
   */
  bodySource?: BodySource;
}

const linked = () => {};

/**
 * Cancels `cancel` when `signal` fires. Returns the unlink, for when the call has
 * settled: a caller's long-lived signal must not collect a listener (and keep a
 * call alive) per call.
 */
export function linkAbort(signal: CancelSignal | undefined, cancel: CallCancel): () => void {
  if (!signal) return linked;
  if (signal.aborted) {
    cancel.abort();
    return linked;
  }
  const onAbort = () => cancel.abort();
  signal.addEventListener("abort", onAbort);
  return () => signal.removeEventListener("abort", onAbort);
}

export function openStream(endpoint: Endpoint, body: Json, options: TransportOptions = {}, call: CallOptions = {}): ResponseStream {
  const cancel = new CallCancel();
  const unlink = linkAbort(call.signal, cancel);
  return new ResponseStream(new CallRun(endpoint, bodyBytes(body, call.bodySource), options, cancel, call), cancel, call.signal && unlink);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** The step read() hands to onChunk when the `last` event is to be decoded rather than a chunk read. */
const DECODE_LAST: IteratorResult<Buffer> = { done: false, value: Buffer.alloc(0) };

/** The request headers last built for each endpoint, with the auth headers they were built from. */
const builtHeaders = new WeakMap<Endpoint, { auth: Record<string, string>; headers: Record<string, string> }>();

/**
 * A model request's headers: the endpoint's, then the auth source's, then the call's own.
 * With a fixed credential (the same auth object each call) and no per-call headers,
 * every call sends the object built for the first (the HTTP clients only read it).
 */
function requestHeaders(endpoint: Endpoint, auth: Record<string, string>, callHeaders: Record<string, string> | undefined): Record<string, string> {
  const built = callHeaders ? undefined : builtHeaders.get(endpoint);
  if (built?.auth === auth) return built.headers;
  const headers = { "content-type": "application/json", accept: "text/event-stream", ...endpoint.headers, ...auth, ...callHeaders };
  if (!callHeaders) builtHeaders.set(endpoint, { auth, headers });
  return headers;
}

/** The answer of the attempt that succeeded, being read. */
interface Reading {
  response: HttpResponse;
  /** The rate limits its headers carried, handed over first. */
  headerLimits: RateLimitSnapshot | undefined;
  /** Its body's network chunks. */
  chunks: AsyncIterator<Buffer>;
  /** Each chunk decoded into SSE messages to map, or (`rawEvents: "sse"`) split into event blocks to relay. */
  decoder: SseDecoder | SseSplitter;
  mapper: EventMapper;
  requestId: string | undefined;
}

/**
 * One call: its attempts (send, classify, retry) and then its answer, read chunk by
 * chunk, each chunk's SSE messages decoded and mapped into one batch of events. A
 * hand-written iterator rather than async generators (ours, the SSE parser's, the
 * body's): on a short call their hops and promises cost more than the mapping.
 */
class CallRun implements PushSource, BodyListener {
  /** Content (or raw events) reached the caller: a retry would repeat it, so the error surfaces instead. */
  private delivered = false;
  private createdSent = false;
  private rateLimits: RateLimitSnapshot | undefined;
  private readonly attempts: Attempts;
  private reading: Reading | undefined;
  /** The answer read() last asked a chunk of, for onChunk (reading may be cleared meanwhile, by return()). */
  private current: Reading | undefined;
  /** A failure thrown at the next pull, once the events that came before it were handed over. */
  private failure: unknown;
  /** An event relay() says is `last`: its bytes went out ending the last batch; decoded at the next pull. */
  private last: SseMessage | undefined;
  private finished = false;
  /** Where listen() pushes batches. */
  private consumer: BatchConsumer | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly body: RequestBody,
    private readonly options: TransportOptions,
    private readonly cancel: CallCancel,
    private readonly call: CallOptions,
  ) {
    const { retry, clock, onNotice } = options;
    this.attempts = new Attempts({ auth: endpoint.auth, signal: cancel, retry, clock, onNotice, canRetry: () => !this.delivered });
  }

  next(): Promise<IteratorResult<StreamEvent[]>> {
    return this.reading && !this.finished ? this.read(this.reading) : this.step();
  }

  /** Opening an answer (the first attempt, or the next after a failure), then its first batch. */
  private async step(): Promise<IteratorResult<StreamEvent[]>> {
    if (this.finished) return DONE;
    let reading: Reading;
    try {
      reading = this.reading = await this.open();
    } catch (caught) {
      return this.retry(caught);
    }
    // A new answer: the rate limits its headers carried come first.
    if (reading.headerLimits) return { done: false, value: [{ type: "rate_limits", rateLimits: reading.headerLimits }] };
    return this.read(reading);
  }

  /** An attempt or its answer failed: the next attempt, when the failure and the retry budget allow one. */
  private readonly retry = async (caught: unknown): Promise<IteratorResult<StreamEvent[]>> => {
    // A failed stream (e.g. an oversized line) is not drained for keep-alive: its rest may be endless.
    this.reading?.response.destroy();
    this.reading = undefined;
    try {
      await this.attempts.failed(caught);
    } catch (error) {
      this.finished = true;
      throw error;
    }
    return this.step();
  };

  /** The consumer stopped early: the answer's rest is drained (keep-alive) or dropped by the HTTP client. */
  async return(): Promise<IteratorResult<StreamEvent[]>> {
    this.finished = true;
    const reading = this.reading;
    this.reading = undefined;
    if (reading) await closeBody(reading);
    return DONE;
  }

  /** Attempts until one is answered with success (a 401 may repair the credential and go again at once). */
  private async open(): Promise<Reading> {
    const { attempts, cancel, endpoint, options, call } = this;
    const loading = loadParser();
    if (loading instanceof Promise) await loading;
    for (;;) {
      if (cancel.aborted) throw new ProviderError("aborted", "The request was aborted.");
      const authHeaders = attempts.readyAuthHeaders() ?? (await attempts.authHeaders());
      const sending = send({
        url: endpoint.url,
        method: "POST",
        headers: requestHeaders(endpoint, authHeaders, call.headers),
        body: this.body,
        signal: cancel,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
        client: options.httpClient,
      });
      if ((options.httpClient ?? "auto") === "auto") noteAutoCall();
      const response = await sending;
      const requestId = response.headers["x-request-id"] ?? response.headers["x-oai-request-id"];
      const headerLimits = parseRateLimitHeaders(response.headers);
      this.rateLimits = mergeRateLimits(this.rateLimits, headerLimits);
      if (response.status >= 400) {
        await attempts.rejected(response.status, response.headers, await readErrorExcerpt(response), { rateLimits: this.rateLimits, requestId });
        continue;
      }
      const mapper = endpoint.createMapper({ requestId, rateLimits: () => this.rateLimits, relay: call.rawEvents === "sse" });
      const decoder =
        call.rawEvents === "sse"
          ? new SseSplitter((type) => mapper.relay?.(type) !== "pass" || call.decode?.has(type) === true, options.maxEventBytes)
          : new SseDecoder(options.maxEventBytes);
      return { response, headerLimits, chunks: response.body[Symbol.asyncIterator](), decoder, mapper, requestId };
    }
  }

  /**
   * The next non-empty batch of the answer; a failure goes to retry(). Runs once per
   * network chunk, so it chains the chunk's promise to a handler made once per call
   * rather than being an async function (each call and await of one allocates).
   */
  private read(reading: Reading): Promise<IteratorResult<StreamEvent[]>> {
    const failure = this.pendingFailure(reading);
    if (failure !== undefined) {
      this.failure = undefined;
      return this.retry(failure);
    }
    this.current = reading;
    // A terminal event whose bytes went out with the last batch is decoded now, with no chunk read.
    if (this.last) return Promise.resolve(this.onChunk(DECODE_LAST));
    return reading.chunks.next().then(this.onChunk, this.retry);
  }

  /** One network chunk of the answer being read (`current`), pulled. */
  private readonly onChunk = (step: IteratorResult<Buffer>): IteratorResult<StreamEvent[]> | Promise<IteratorResult<StreamEvent[]>> => {
    const reading = this.current!;
    let events: StreamEvent[];
    try {
      events = this.batchOf(reading, step);
    } catch (error) {
      return this.retry(error);
    }
    if (events.length > 0) return { done: false, value: events };
    return this.finished ? DONE : this.read(reading);
  };

  /**
   * Push mode: while an answer is being read, each of its chunks' batch goes to `consumer`
   * as the chunk arrives, with no promise per chunk. Opening an answer, a failure (and
   * any retry), a full consumer and the end go back to next(): false, or later advance().
   */
  listen(consumer: BatchConsumer): boolean {
    const reading = this.reading;
    if (!reading || this.finished || this.last || this.pendingFailure(reading) !== undefined || !isListenable(reading.chunks)) return false;
    this.consumer = consumer;
    this.current = reading;
    reading.chunks.listen(this);
    return true;
  }

  /** A chunk of the answer being listened to (`current`), or its end. */
  chunk(step: IteratorResult<Buffer>): void {
    const reading = this.current!;
    let events: StreamEvent[] | undefined;
    try {
      events = this.batchOf(reading, step);
    } catch (error) {
      this.failure ??= error;
    }
    const full = events && events.length > 0 ? this.consumer!.batch(events) : undefined;
    if (!full && !this.finished && !this.last && this.pendingFailure(reading) === undefined) return;
    // next() takes it from here: the end, a retry, the failure thrown, or the last event decoded.
    if (isListenable(reading.chunks)) reading.chunks.unlisten();
    if (full) void full.then(this.consumer!.advance);
    else this.consumer!.advance();
  }

  failed(error: unknown): void {
    this.failure ??= error;
    this.consumer!.advance();
  }

  /** A failure to throw once the events before it are handed over: a failure event's, or the decoder's (an oversized event). */
  private pendingFailure(reading: Reading): unknown {
    return this.failure ?? reading.decoder.failure;
  }

  /**
   * One network chunk (or, `done`, the body's end; or DECODE_LAST, the `last` event) of
   * `reading` as its batch; empty when it completed no event. At the terminal event the
   * answer is released. Throws what retry() must handle.
   */
  private batchOf(reading: Reading, step: IteratorResult<Buffer>): StreamEvent[] {
    const { decoder, mapper } = reading;
    const events =
      step === DECODE_LAST
        ? this.mapLast(mapper)
        : decoder instanceof SseDecoder
          ? this.map(step.done ? decoder.end() : decoder.feed(step.value), mapper)
          : this.relay(step.done ? decoder.end() : decoder.feed(step.value), mapper);
    if (mapper.result) {
      this.finished = true;
      this.reading = undefined;
      // Stopping at the terminal event, often before the body's end: the HTTP client keeps the socket.
      void closeBody(reading);
    }
    if (events.length === 0 && step.done) {
      throw new ProviderError("stream_truncated", "The stream ended before the response completed (no terminal event); the answer may be cut off.", {
        retryable: true,
        requestId: reading.requestId,
      });
    }
    return events;
  }

  /**
   * `rawEvents: "sse"`: the event blocks of one network chunk, for a pass-through server.
   * Only the events the mapper reads were decoded (see EventMapper.relay); the rest pass
   * as bytes. Delivered is what the server forwards: not the backend's own events.
   */
  private relay(blocks: readonly SseBlock[], mapper: EventMapper): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const block of blocks) {
      const message = block.message;
      const type = message?.event;
      const later = type === undefined ? undefined : this.readLater(type, mapper);
      if (!message) {
        this.delivered = true;
        out.push({ type: "sse", bytes: block.bytes });
      } else if (later === undefined) {
        if (!this.mapMessage(message, mapper, out, block) || mapper.result) break;
      } else {
        this.delivered = true;
        out.push({ type: "sse", bytes: block.bytes, kept: type });
        if (later === "keep") mapper.keep?.(message.data);
        else {
          // Nothing after it is read: the next pull decodes it (mapLast).
          this.last = message;
          break;
        }
      }
    }
    return out;
  }

  /**
   * Whether the mapper reads this event only after its bytes are handed over: its text
   * kept for the end (`keep`), or decoded at the next pull (`last`); see EventMapper.relay.
   * Undefined when it is read now, as it is when the call asked for it decoded.
   */
  private readLater(type: string, mapper: EventMapper): "keep" | "last" | undefined {
    if (this.call.decode?.has(type)) return undefined;
    const verdict = mapper.relay?.(type);
    return verdict === "keep" || verdict === "last" ? verdict : undefined;
  }

  /** The `last` event, decoded and mapped (its bytes went out already, so no forwarded form). */
  private mapLast(mapper: EventMapper): StreamEvent[] {
    const message = this.last!;
    this.last = undefined;
    const out: StreamEvent[] = [];
    this.mapMessage(message, mapper, out);
    return out;
  }

  /**
   * Decodes and maps the messages of one network chunk into one batch. A failure event
   * stops the batch: what came before it is returned, the failure kept for the next pull.
   */
  private map(messages: readonly SseMessage[], mapper: EventMapper): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const message of messages) if (!this.mapMessage(message, mapper, out) || mapper.result) break;
    return out;
  }

  /**
   * One message into `out`: the form a pass-through forwards (see forwardedForm), then the
   * mapper's typed events. False for a failure event: kept for the next pull, and its
   * forwarded form dropped unless something was delivered before it (a stream that failed
   * before anything went out can still be retried, or answered with the failure's status).
   */
  private mapMessage(message: SseMessage, mapper: EventMapper, out: StreamEvent[], block?: SseBlock): boolean {
    const before = out.length;
    let from = before;
    try {
      if (message.data === "[DONE]") {
        mapper.onDone?.(out);
      } else {
        const json = decodeEvent(message.data, this.options);
        if (!json) return true;
        const forwarded = this.forwardedForm(json, message, mapper, block);
        if (forwarded) from = out.push(forwarded);
        mapper.map(json, out);
      }
    } catch (error) {
      out.length = from > before && this.delivered ? from : before;
      this.failure = error;
      return false;
    }
    if (from > before) this.delivered = true;
    this.keep(out, from);
    return true;
  }

  /**
   * What a pass-through forwards of a decoded event, ahead of its typed events: with
   * `rawEvents: true` the event as `raw` (delivered at once: a retry would send it twice);
   * with `"sse"` its bytes, unless the mapper keeps the event to itself.
   */
  private forwardedForm(json: Json, message: SseMessage, mapper: EventMapper, block: SseBlock | undefined): StreamEvent | undefined {
    if (!block) {
      if (this.call.rawEvents !== true) return undefined;
      this.delivered = true;
      return { type: "raw", event: json, data: message.data };
    }
    if (mapper.relay?.(String(json.type)) === "own") return undefined;
    // The Responses stream names every event on its `event:` line, and clients may dispatch on it:
    // an upstream that left it out gets it.
    const bytes = message.event === undefined && typeof json.type === "string" ? frameEvent(json.type, message.data) : block.bytes;
    return { type: "sse", bytes, event: json };
  }

  /**
   * The mapper wrote `out[from…]` straight into the batch: keep the call's state (one
   * `created`, merged rate limits, whether content went out), dropping a repeated
   * `created` (a retry's) in place.
   */
  private keep(out: StreamEvent[], from: number): void {
    let kept = from;
    for (let i = from; i < out.length; i++) {
      const event = out[i];
      if (event.type === "created") {
        if (this.createdSent) continue;
        this.createdSent = true;
      } else if (event.type === "rate_limits") {
        this.rateLimits = mergeRateLimits(this.rateLimits, event.rateLimits);
      } else if (CONTENT_EVENTS.has(event.type)) {
        this.delivered = true;
      }
      out[kept++] = event;
    }
    if (kept < out.length) out.length = kept;
  }
}

function isListenable(body: AsyncIterator<Buffer>): body is ListenableBody {
  return typeof (body as Partial<ListenableBody>).listen === "function";
}

/** Stops reading an answer early: the HTTP client drains its rest for keep-alive, or drops it. */
function closeBody(reading: Reading): Promise<unknown> | undefined {
  return reading.chunks.return?.();
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
