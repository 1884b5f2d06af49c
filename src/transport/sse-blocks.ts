// Server-sent events as the bytes they came in, for a pass-through server: each network
// chunk's complete event blocks, with only the events the caller reads decoded. A block
// is an event's lines up to and including the blank line that ends it. The event's type
// is read off its `event:` line (the Responses stream names every event there:
// openai-node's `Stream.fromSSEResponse` dispatches on it, docs/protocol.md#sse-framing);
// a block without one is decoded to find out. LF framing is split here, with no decoding
// or copying of the events passed on; a stream that uses CR or CRLF anywhere goes to
// eventsource-parser from that chunk on, its events re-framed with LF.
import type { EventSourceMessage, EventSourceParser } from "eventsource-parser";
import type { ProviderError } from "../errors.js";
import { DEFAULT_MAX_EVENT_BYTES } from "./body-text.js";
import { eventTooLarge, loadedParser, SseDecoder } from "./sse.js";

export interface SseBlock {
  /** Event blocks as received (LF-framed, each ending in a blank line); several when none is decoded. */
  bytes: Buffer;
  /** Set when `bytes` is one event the caller reads: its decoded fields. */
  message?: EventSourceMessage;
}

const LF = 0x0a;
const BLANK_LINE = Buffer.from("\n\n");
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NONE: readonly SseBlock[] = [];

/**
 * Splits a response body into event blocks, synchronously, one network chunk at a time
 * (like SseDecoder: the caller awaits the body once per chunk, with no generator hop):
 * feed() returns the complete blocks a chunk finished, runs of events whose type `reads`
 * declines as one block of bytes and every other event as a block of its own with its
 * fields decoded. Comment-only blocks and stray blank lines are dropped. Needs
 * loadParser() first.
 *
 * An event (or the unfinished rest of one) longer than `maxEventSize` bytes sets
 * `failure` (`protocol_error`) as soon as it is crossed: the caller delivers the blocks
 * completed before it, then throws it.
 */
export class SseSplitter {
  /** Set once the bound was crossed; nothing more is split. */
  failure: ProviderError | undefined;
  /** For blocks of another shape than `event:` plus one `data:` line (rare): made on first use. */
  private parser: EventSourceParser | undefined;
  private decoded: EventSourceMessage | undefined;
  /** After a CR showed up: the SSE decoder frames the rest of the stream, its events re-framed with LF. */
  private reframing: SseDecoder | undefined;
  /** The unfinished event: pieces of earlier chunks, joined only once its blank line arrives. */
  private rest: Buffer[] = [];
  private restLength = 0;
  private first = true;
  private readonly onError = (error: { type: string }) => {
    if (error.type === "max-buffer-size-exceeded") this.failure ??= eventTooLarge(this.maxEventSize);
  };

  constructor(
    private readonly reads: (type: string) => boolean,
    private readonly maxEventSize = DEFAULT_MAX_EVENT_BYTES,
  ) {}

  /** The blocks `chunk` completed; after a failure, none. */
  feed(chunk: Buffer): readonly SseBlock[] {
    return this.failure ? NONE : this.split(chunk);
  }

  /** At the end of the body: a last event without its blank line still counts; the caller decides whether it was terminal. */
  end(): readonly SseBlock[] {
    if (this.failure) return NONE;
    return this.reframing ? this.reframe(undefined) : this.split(BLANK_LINE);
  }

  private split(chunk: Buffer): readonly SseBlock[] {
    if (this.reframing) return this.reframe(chunk);
    // Still inside one event: the chunk neither ends it nor completes a blank line across the boundary.
    if (this.restLength > 0 && chunk.indexOf(BLANK_LINE) < 0 && !(chunk[0] === LF && this.rest[this.rest.length - 1].at(-1) === LF)) {
      return chunk.includes(0x0d) ? this.reframe(this.take(chunk)) : this.keep(chunk);
    }
    let buf = this.take(chunk);
    if (this.first) {
      if (buf.length < BOM.length) return this.keep(buf);
      this.first = false;
      if (buf.compare(BOM, 0, BOM.length, 0, BOM.length) === 0) buf = buf.subarray(BOM.length);
    }
    // Scanned as Latin-1 text: one character per byte, so offsets are byte offsets, and
    // string search and slicing are cheaper than calls into Buffer's native methods.
    const text = buf.toString("latin1");
    if (text.includes("\r")) return this.reframe(buf);
    const out: SseBlock[] = [];
    let runStart = -1;
    let runEnd = -1;
    let at = 0;
    for (;;) {
      while (text.charCodeAt(at) === LF) at++;
      const end = text.indexOf("\n\n", at);
      if (end < 0) break;
      const next = end + 2;
      const lineEnd = text.indexOf("\n", at);
      // The type as Latin-1: event names are ASCII; one that is not is simply not one the caller reads.
      const type = text.startsWith("event:", at) ? text.slice(text.charCodeAt(at + 6) === 0x20 ? at + 7 : at + 6, lineEnd) : undefined;
      if (type !== undefined && !this.reads(type)) {
        // Consecutive passed events stay one slice of the chunk.
        if (runEnd !== at) {
          if (runStart >= 0) out.push({ bytes: buf.subarray(runStart, runEnd) });
          runStart = at;
        }
        runEnd = next;
      } else {
        if (runStart >= 0) out.push({ bytes: buf.subarray(runStart, runEnd) });
        runStart = runEnd = -1;
        const block = buf.subarray(at, next);
        const dataStart = lineEnd + 1;
        // `event:` and a single `data:` line: the data read directly.
        const message =
          type !== undefined && text.startsWith("data:", dataStart) && lineEnd < end && text.indexOf("\n", dataStart) === end
            ? { event: type, id: undefined, data: buf.toString("utf8", text.charCodeAt(dataStart + 5) === 0x20 ? dataStart + 6 : dataStart + 5, end) }
            : this.decode(block);
        if (message) out.push({ bytes: block, message });
      }
      at = next;
    }
    // A chunk of passed events only (the usual chunk of a streaming answer) goes on as it came.
    if (runStart >= 0) out.push({ bytes: runStart === 0 && runEnd === buf.length ? buf : buf.subarray(runStart, runEnd) });
    if (at < buf.length) this.keep(buf.subarray(at));
    return out;
  }

  private keep(piece: Buffer): readonly SseBlock[] {
    this.rest.push(piece);
    this.restLength += piece.length;
    if (this.restLength > this.maxEventSize) this.failure ??= eventTooLarge(this.maxEventSize);
    return NONE;
  }

  /** The unfinished event's pieces and `chunk`, as one buffer. */
  private take(chunk: Buffer): Buffer {
    if (this.restLength === 0) return chunk;
    const joined = Buffer.concat([...this.rest, chunk]);
    this.rest = [];
    this.restLength = 0;
    return joined;
  }

  private decode(block: Buffer): EventSourceMessage | undefined {
    this.parser ??= loadedParser().createParser({ onEvent: (message) => (this.decoded = message), maxBufferSize: this.maxEventSize, onError: this.onError });
    this.decoded = undefined;
    this.parser.feed(block.toString("utf8"));
    return this.decoded;
  }

  /** `bytes` undefined: the end of the stream. */
  private reframe(bytes: Buffer | undefined): readonly SseBlock[] {
    const decoder = (this.reframing ??= new SseDecoder(this.maxEventSize));
    const messages = bytes ? decoder.feed(bytes) : decoder.end();
    // The decoder's bound is this splitter's: the events completed before it still go out first.
    this.failure ??= decoder.failure;
    return messages.length === 0 ? NONE : messages.map((message) => this.reframed(message));
  }

  private reframed(message: EventSourceMessage): SseBlock {
    const bytes = frameEvent(message.event, message.data);
    return message.event !== undefined && !this.reads(message.event) ? { bytes } : { bytes, message };
  }
}

/** One event as an LF-framed block: its `event:` line (when it has a type) and one `data:` line per line of data. */
export function frameEvent(type: string | undefined, data: string): Buffer {
  const lines = data.split("\n").map((line) => `data: ${line}\n`).join("");
  return Buffer.from(`${type === undefined ? "" : `event: ${type}\n`}${lines}\n`);
}
