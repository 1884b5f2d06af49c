// Server-sent events as the bytes they came in, for a pass-through server: each network
// chunk's complete event blocks, with only the events the caller reads decoded. A block
// is an event's lines up to and including the blank line that ends it. The event's type
// is read off its `event:` line (the Responses stream names every event there:
// openai-node's `Stream.fromSSEResponse` dispatches on it, docs/protocol.md#sse-framing);
// a block without one is decoded to find out. LF framing is split here, on bytes, with
// no decoding or copying of the events passed on; a stream that uses CR or CRLF anywhere
// goes to eventsource-parser from that chunk on, its events re-framed with LF.
import { StringDecoder } from "node:string_decoder";
import type { EventSourceMessage, EventSourceParser } from "eventsource-parser";
import { ProviderError } from "../errors.js";
import { DEFAULT_MAX_EVENT_BYTES, formatBytes } from "./body-text.js";

export interface SseBlock {
  /** Event blocks as received (LF-framed, each ending in a blank line); several when none is decoded. */
  bytes: Buffer;
  /** Set when `bytes` is one event the caller reads: its decoded fields. */
  message?: EventSourceMessage;
}

const LF = 0x0a;
const CR = 0x0d;
const BLANK_LINE = Buffer.from("\n\n");
const EVENT_FIELD = Buffer.from("event:");
const DATA_FIELD = Buffer.from("data:");
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

let parserModule: typeof import("eventsource-parser") | undefined;

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
  parserModule ??= await import("eventsource-parser");
  const { createParser } = parserModule;
  let decoded: EventSourceMessage | undefined;
  let overflow = false;
  const parser = createParser({
    onEvent: (message) => (decoded = message),
    maxBufferSize: maxEventSize,
    onError: (error) => {
      if (error.type === "max-buffer-size-exceeded") overflow = true;
    },
  });
  const tooLarge = () =>
    new ProviderError("protocol_error", `A stream event or line is larger than ${formatBytes(maxEventSize)}; the upstream stream is malformed or hostile.`, {
      hint: "Raise max_event_bytes if the upstream really sends events this large.",
    });
  /** The fields of one whole block: `event:` then one `data:` line read directly, any other shape by the parser. */
  const decode = (block: Buffer, typeEnd: number, type: string | undefined): EventSourceMessage | undefined => {
    const dataStart = typeEnd + 1;
    if (type !== undefined && startsWith(block, DATA_FIELD, dataStart) && block.indexOf(LF, dataStart) === block.length - 2) {
      const valueStart = dataStart + DATA_FIELD.length + (block[dataStart + DATA_FIELD.length] === 0x20 ? 1 : 0);
      return { event: type, data: block.toString("utf8", valueStart, block.length - 2), id: undefined };
    }
    decoded = undefined;
    parser.feed(block.toString("utf8"));
    return decoded;
  };

  /** The unfinished event: pieces of earlier chunks, joined only once its blank line arrives. */
  let rest: Buffer[] = [];
  let restLength = 0;
  let first = true;
  /** Set once a CR shows up: from then on the parser frames the stream and its events are re-framed with LF. */
  let reframing: { decoder: StringDecoder; parser: EventSourceParser; out: SseBlock[] } | undefined;
  /** `bytes` undefined: the end of the stream. */
  const reframe = (bytes: Buffer | undefined): SseBlock[] => {
    if (!reframing) {
      const out: SseBlock[] = [];
      const reframer = createParser({
        onEvent: (message) => {
          const data = message.data.split("\n").map((line) => `data: ${line}\n`).join("");
          const bytes = Buffer.from(`${message.event === undefined ? "" : `event: ${message.event}\n`}${data}\n`);
          out.push(message.event !== undefined && !reads(message.event) ? { bytes } : { bytes, message });
        },
        maxBufferSize: maxEventSize,
        onError: (error) => {
          if (error.type === "max-buffer-size-exceeded") overflow = true;
        },
      });
      reframing = { decoder: new StringDecoder("utf8"), parser: reframer, out };
    }
    reframing.parser.feed(bytes ? reframing.decoder.write(bytes) : reframing.decoder.end() + "\n\n");
    return reframing.out.splice(0);
  };

  const keep = (piece: Buffer): SseBlock[] => {
    rest.push(piece);
    restLength += piece.length;
    if (restLength > maxEventSize) overflow = true;
    return [];
  };
  const split = (chunk: Buffer): SseBlock[] => {
    if (reframing || chunk.includes(CR)) return reframe(take(chunk));
    // Still inside one event: the chunk neither ends it nor completes a blank line across the boundary.
    if (restLength > 0 && chunk.indexOf(BLANK_LINE) < 0 && !(chunk[0] === LF && rest[rest.length - 1].at(-1) === LF)) return keep(chunk);
    let buf = take(chunk);
    if (first) {
      if (buf.length < BOM.length) return keep(buf);
      first = false;
      if (startsWith(buf, BOM, 0)) buf = buf.subarray(BOM.length);
    }
    const out: SseBlock[] = [];
    let runStart = -1;
    let runEnd = -1;
    let at = 0;
    for (;;) {
      while (buf[at] === LF) at++;
      const end = buf.indexOf(BLANK_LINE, at);
      if (end < 0) break;
      const next = end + 2;
      const block = buf.subarray(at, next);
      const typeEnd = block.indexOf(LF);
      const type = startsWith(block, EVENT_FIELD, 0) ? block.toString("latin1", EVENT_FIELD.length + (block[EVENT_FIELD.length] === 0x20 ? 1 : 0), typeEnd) : undefined;
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
        const message = decode(block, typeEnd, type);
        if (message) out.push({ bytes: block, message });
      }
      at = next;
    }
    if (runStart >= 0) out.push({ bytes: buf.subarray(runStart, runEnd) });
    if (at < buf.length) keep(buf.subarray(at));
    return out;
  };
  /** The unfinished event's pieces and `chunk`, as one buffer. */
  const take = (chunk: Buffer): Buffer => {
    if (restLength === 0) return chunk;
    const joined = Buffer.concat([...rest, chunk]);
    rest = [];
    restLength = 0;
    return joined;
  };

  for await (const chunk of body) {
    const blocks = split(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    // Events completed before the overflow still reach the caller first.
    if (blocks.length > 0) yield blocks;
    if (overflow) throw tooLarge();
  }
  // A last event without its blank line still counts; the caller decides whether it was terminal.
  const last = reframing ? reframe(undefined) : split(BLANK_LINE);
  if (last.length > 0) yield last;
  if (overflow) throw tooLarge();
}

function startsWith(buf: Buffer, prefix: Buffer, at: number): boolean {
  return buf.length >= at + prefix.length && buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}
