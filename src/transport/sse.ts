// Server-sent events from a byte stream. Line handling (LF, CRLF, CR; multi-line
// data; comments) is eventsource-parser's; we add UTF-8 decoding that survives a
// chunk boundary inside a character, and an end-of-stream flush.
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type { EventSourceMessage as SseMessage };

/**
 * Yields the SSE messages of `body` in batches: every message completed by one
 * network chunk, as soon as that chunk arrives. Batching keeps the per-event cost
 * to one function call instead of one async-generator hop.
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage[]> {
  const decoder = new TextDecoder("utf-8");
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (pending.length > 0) yield pending.splice(0, pending.length);
  }
  // A last event without its blank line still counts (servers that end the body
  // right after the final data line); the caller decides whether it was terminal.
  parser.feed(decoder.decode() + "\n\n");
  if (pending.length > 0) yield pending.splice(0, pending.length);
}
