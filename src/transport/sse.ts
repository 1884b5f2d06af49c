// Server-sent events from a byte stream. Line handling (LF, CR, CRLF; multi-line
// data; comments) and the bound on a buffered line or event are eventsource-parser's
// (`maxBufferSize`); we add UTF-8 decoding that survives a chunk boundary inside a
// character, an end-of-stream flush, and a typed error when the bound is crossed.
import { StringDecoder } from "node:string_decoder";
import type { EventSourceMessage } from "eventsource-parser";
import { ProviderError } from "../errors.js";
import { DEFAULT_MAX_EVENT_BYTES, formatBytes } from "./body-text.js";

export type { EventSourceMessage as SseMessage };

/** The parser loads with the first stream, not with the library (~11 M instructions at import). */
let parserModule: typeof import("eventsource-parser") | undefined;

export async function loadParser(): Promise<typeof import("eventsource-parser")> {
  parserModule ??= await import("eventsource-parser");
  return parserModule;
}

/** A line or event past the bound: the stream is malformed or hostile. */
export function eventTooLarge(maxEventSize: number): ProviderError {
  return new ProviderError("protocol_error", `A stream event or line is larger than ${formatBytes(maxEventSize)}; the upstream stream is malformed or hostile.`, {
    hint: "Raise max_event_bytes if the upstream really sends events this large.",
  });
}

/**
 * Yields the SSE messages of `body` in batches: every message completed by one
 * network chunk, as soon as that chunk arrives. Batching keeps the per-event cost
 * to one function call instead of one async-generator hop.
 *
 * A line or event longer than `maxEventSize` characters (≈ bytes for the ASCII JSON
 * these streams carry) fails with `protocol_error` as soon as it is crossed, instead
 * of buffering an endless line until the idle timeout.
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>, maxEventSize = DEFAULT_MAX_EVENT_BYTES): AsyncGenerator<EventSourceMessage[]> {
  // StringDecoder rather than TextDecoder: a streaming TextDecoder sets up an ICU
  // converter per stream, which cost more than the whole SSE parse of a short answer.
  const decoder = new StringDecoder("utf8");
  let first = true;
  let pending: EventSourceMessage[] = [];
  // Hands the completed messages over without copying them (one batch per chunk).
  const take = () => {
    const batch = pending;
    pending = [];
    return batch;
  };
  let overflow = false;
  const parser = (await loadParser()).createParser({
    onEvent: (message) => pending.push(message),
    maxBufferSize: maxEventSize,
    // The parser also reports unknown fields and bad `retry:` values; the SSE spec says to ignore those.
    onError: (error) => {
      if (error.type === "max-buffer-size-exceeded") overflow = true;
    },
  });
  for await (const chunk of body) {
    let text = decoder.write(chunk);
    if (first && text.length > 0) {
      first = false;
      // The SSE spec ignores one leading byte order mark (TextDecoder used to drop it).
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    parser.feed(text);
    // Events completed before the overflow still reach the caller first.
    if (pending.length > 0) yield take();
    if (overflow) throw eventTooLarge(maxEventSize);
  }
  // A last event without its blank line still counts (servers that end the body
  // right after the final data line); the caller decides whether it was terminal.
  parser.feed(decoder.end() + "\n\n");
  if (pending.length > 0) yield take();
  if (overflow) throw eventTooLarge(maxEventSize);
}
