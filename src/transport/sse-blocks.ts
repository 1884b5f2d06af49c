// Server-sent events as the bytes they came in, for a pass-through server: each network
// chunk's complete event blocks, with only the events the caller reads decoded. A block
// is an event's lines up to and including the blank line that ends it. The event's type
// is read off its `event:` line (the Responses stream names every event there:
// openai-node's `Stream.fromSSEResponse` dispatches on it, docs/protocol.md#sse-framing);
// a block without one is decoded to find out. LF framing is split here, with no decoding
// or copying of the events passed on; a stream that uses CR or CRLF anywhere goes to
// eventsource-parser from that chunk on, its events re-framed with LF.
import { StringDecoder } from "node:string_decoder";
import type { EventSourceMessage, EventSourceParser } from "eventsource-parser";
import { DEFAULT_MAX_EVENT_BYTES } from "./body-text.js";
import { eventTooLarge, loadParser } from "./sse.js";

export interface SseBlock {
  /** Event blocks as received (LF-framed, each ending in a blank line); several when none is decoded. */
  bytes: Buffer;
  /** Set when `bytes` is one event the caller reads: its decoded fields. */
  message?: EventSourceMessage;
}

const LF = 0x0a;
const BLANK_LINE = Buffer.from("\n\n");
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Yields, per network chunk, the complete event blocks it finished: runs of events whose
 * type `reads` declines as one block of bytes, and every other event as a block of its
 * own with its fields decoded. Comment-only blocks and stray blank lines are dropped. An
 * event (or the unfinished rest of one) longer than `maxEventSize` bytes fails with
 * `protocol_error` as soon as it is crossed.
 */
export async function* sseBlocks(
  body: AsyncIterable<Uint8Array>,
  reads: (type: string) => boolean,
  maxEventSize = DEFAULT_MAX_EVENT_BYTES,
): AsyncGenerator<SseBlock[]> {
  const { createParser } = await loadParser();
  let overflow = false;
  const onError = (error: { type: string }) => {
    if (error.type === "max-buffer-size-exceeded") overflow = true;
  };
  /** For blocks of another shape than `event:` plus one `data:` line (rare): made on first use. */
  let parser: EventSourceParser | undefined;
  let decoded: EventSourceMessage | undefined;
  const decode = (block: Buffer): EventSourceMessage | undefined => {
    parser ??= createParser({ onEvent: (message) => (decoded = message), maxBufferSize: maxEventSize, onError });
    decoded = undefined;
    parser.feed(block.toString("utf8"));
    return decoded;
  };

  /** Set once a CR shows up: from then on the parser frames the stream and its events are re-framed with LF. */
  let reframing: { decoder: StringDecoder; parser: EventSourceParser; out: SseBlock[] } | undefined;
  /** `bytes` undefined: the end of the stream. */
  const reframe = (bytes: Buffer | undefined): SseBlock[] => {
    if (!reframing) {
      const out: SseBlock[] = [];
      const onEvent = (message: EventSourceMessage) => {
        const framed = frameEvent(message.event, message.data);
        out.push(message.event !== undefined && !reads(message.event) ? { bytes: framed } : { bytes: framed, message });
      };
      reframing = { decoder: new StringDecoder("utf8"), parser: createParser({ onEvent, maxBufferSize: maxEventSize, onError }), out };
    }
    reframing.parser.feed(bytes ? reframing.decoder.write(bytes) : reframing.decoder.end() + "\n\n");
    return reframing.out.splice(0);
  };

  /** The unfinished event: pieces of earlier chunks, joined only once its blank line arrives. */
  let rest: Buffer[] = [];
  let restLength = 0;
  let first = true;
  const keep = (piece: Buffer): SseBlock[] => {
    rest.push(piece);
    restLength += piece.length;
    if (restLength > maxEventSize) overflow = true;
    return [];
  };
  /** The unfinished event's pieces and `chunk`, as one buffer. */
  const take = (chunk: Buffer): Buffer => {
    if (restLength === 0) return chunk;
    const joined = Buffer.concat([...rest, chunk]);
    rest = [];
    restLength = 0;
    return joined;
  };

  const split = (chunk: Buffer): SseBlock[] => {
    if (reframing) return reframe(chunk);
    // Still inside one event: the chunk neither ends it nor completes a blank line across the boundary.
    if (restLength > 0 && chunk.indexOf(BLANK_LINE) < 0 && !(chunk[0] === LF && rest[rest.length - 1].at(-1) === LF)) {
      return chunk.includes(0x0d) ? reframe(take(chunk)) : keep(chunk);
    }
    let buf = take(chunk);
    if (first) {
      if (buf.length < BOM.length) return keep(buf);
      first = false;
      if (buf.compare(BOM, 0, BOM.length, 0, BOM.length) === 0) buf = buf.subarray(BOM.length);
    }
    // Scanned as Latin-1 text: one character per byte, so offsets are byte offsets, and
    // string search and slicing are cheaper than calls into Buffer's native methods.
    const text = buf.toString("latin1");
    if (text.includes("\r")) return reframe(buf);
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
      if (type !== undefined && !reads(type)) {
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
            : decode(block);
        if (message) out.push({ bytes: block, message });
      }
      at = next;
    }
    if (runStart >= 0) out.push({ bytes: buf.subarray(runStart, runEnd) });
    if (at < buf.length) keep(buf.subarray(at));
    return out;
  };

  for await (const chunk of body) {
    const blocks = split(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    // Events completed before the overflow still reach the caller first.
    if (blocks.length > 0) yield blocks;
    if (overflow) throw eventTooLarge(maxEventSize);
  }
  // A last event without its blank line still counts; the caller decides whether it was terminal.
  const last = reframing ? reframe(undefined) : split(BLANK_LINE);
  if (last.length > 0) yield last;
  if (overflow) throw eventTooLarge(maxEventSize);
}

/** One event as an LF-framed block: its `event:` line (when it has a type) and one `data:` line per line of data. */
export function frameEvent(type: string | undefined, data: string): Buffer {
  const lines = data.split("\n").map((line) => `data: ${line}\n`).join("");
  return Buffer.from(`${type === undefined ? "" : `event: ${type}\n`}${lines}\n`);
}
