// Server-sent events from a byte stream. Line handling (LF, CR, CRLF; multi-line
// data; comments) and the bound on a buffered line or event are eventsource-parser's
// (`maxBufferSize`); we add UTF-8 decoding that survives a chunk boundary inside a
// character, an end-of-stream flush, and a typed error when the bound is crossed.
import { StringDecoder } from "node:string_decoder";
import type { EventSourceMessage, EventSourceParser } from "eventsource-parser";
import { ProviderError } from "../errors.js";
import { DEFAULT_MAX_EVENT_BYTES, formatBytes } from "./body-text.js";

export type { EventSourceMessage as SseMessage };

const NONE: readonly EventSourceMessage[] = [];

/** The parser loads with the first stream, not with the library (~11 M instructions at import). */
let parserModule: typeof import("eventsource-parser") | undefined;

/** eventsource-parser, loaded at the first call: a promise only until it has loaded (await it before the first SseDecoder). */
export function loadParser(): typeof import("eventsource-parser") | Promise<typeof import("eventsource-parser")> {
  return parserModule ?? import("eventsource-parser").then((module) => (parserModule = module));
}

/** eventsource-parser, once loadParser() has completed (decoders are made synchronously). */
export function loadedParser(): typeof import("eventsource-parser") {
  if (!parserModule) throw new Error("loadParser() must complete before an SSE decoder is made");
  return parserModule;
}

/** A line or event past the bound: the stream is malformed or hostile. */
export function eventTooLarge(maxEventSize: number): ProviderError {
  return new ProviderError("protocol_error", `A stream event or line is larger than ${formatBytes(maxEventSize)}; the upstream stream is malformed or hostile.`, {
    hint: "Raise max_event_bytes if the upstream really sends events this large.",
  });
}

/**
 * Turns a response body's chunks into SSE messages, synchronously, one chunk at a time:
 * feed() returns every message that chunk completed (one batch per network chunk, so the
 * per-event cost is a function call, not an async hop). Needs loadParser() first.
 *
 * A line or event longer than `maxEventSize` characters (≈ bytes for the ASCII JSON
 * these streams carry) sets `failure` (`protocol_error`) as soon as it is crossed: the
 * caller delivers the messages completed before it, then throws it, instead of
 * buffering an endless line until the idle timeout.
 */
export class SseDecoder {
  /** Set once the bound was crossed; nothing more is decoded. */
  failure: ProviderError | undefined;
  /**
   * Made at the first chunk that ends inside a UTF-8 character, and used from then on:
   * a chunk ending in an ASCII byte (SSE chunks end in "\n") decodes whole, without one.
   * StringDecoder rather than TextDecoder: a streaming TextDecoder sets up an ICU
   * converter per stream, which cost more than the whole SSE parse of a short answer.
   */
  private decoder: StringDecoder | undefined;
  private readonly parser: EventSourceParser;
  private first = true;
  private pending: EventSourceMessage[] = [];

  constructor(maxEventSize = DEFAULT_MAX_EVENT_BYTES) {
    this.parser = loadedParser().createParser({
      onEvent: (message) => this.pending.push(message),
      maxBufferSize: maxEventSize,
      // The parser also reports unknown fields and bad `retry:` values; the SSE spec says to ignore those.
      onError: (error) => {
        if (error.type === "max-buffer-size-exceeded") this.failure ??= eventTooLarge(maxEventSize);
      },
    });
  }

  /** The messages `chunk` completed (handed over without a copy). */
  feed(chunk: Buffer): readonly EventSourceMessage[] {
    if (this.failure) return NONE;
    let text = !this.decoder && chunk[chunk.length - 1] < 0x80 ? chunk.toString("utf8") : (this.decoder ??= new StringDecoder("utf8")).write(chunk);
    if (this.first && text.length > 0) {
      this.first = false;
      // The SSE spec ignores one leading byte order mark (TextDecoder used to drop it).
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.parser.feed(text);
    return this.take();
  }

  /**
   * At the end of the body: a last event without its blank line still counts (servers
   * that end the body right after the final data line); the caller decides whether it
   * was terminal.
   */
  end(): readonly EventSourceMessage[] {
    if (this.failure) return NONE;
    this.parser.feed(`${this.decoder?.end() ?? ""}\n\n`);
    return this.take();
  }

  private take(): readonly EventSourceMessage[] {
    const batch = this.pending;
    if (batch.length === 0) return NONE;
    this.pending = [];
    return batch;
  }
}
