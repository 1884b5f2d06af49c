// Server-sent events from a byte stream. Line handling (LF, CRLF, CR; multi-line
// data; comments) is eventsource-parser's; we add UTF-8 decoding that survives a
// chunk boundary inside a character, and an end-of-stream flush.
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type { EventSourceMessage as SseMessage };

/** Yields each SSE message of `body` as soon as its terminating blank line arrives. */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const decoder = new TextDecoder("utf-8");
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (pending.length > 0) yield* drain(pending);
  }
  // A last event without its blank line still counts (servers that end the body
  // right after the final data line); the caller decides whether it was terminal.
  parser.feed(decoder.decode() + "\n\n");
  yield* drain(pending);
}

function* drain(queue: EventSourceMessage[]): Generator<EventSourceMessage> {
  // The parser only runs between drains, so the queue cannot grow while we yield.
  const batch = queue.splice(0, queue.length);
  for (const message of batch) yield message;
}
