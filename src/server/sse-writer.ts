// Server-sent events to one client, LF-framed (docs/protocol.md#server-event-set).
//
// The events sent in one tick (those of one upstream network chunk) leave as one
// socket write at the end of that tick, with the response headers on the first: one
// chunk and one syscall per upstream chunk instead of one HTTP chunk per event, the
// way a pass-through proxy forwards. A full socket makes the next send wait for
// `drain`, so a slow client slows its own upstream read and the unsent text stays
// bounded by one upstream chunk's events. A comment line keeps idle connections (long
// reasoning) alive through proxies without being an event any client sees.
import { writeHead, type Answer } from "./answer.js";

const KEEP_ALIVE_MS = 15_000;
const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" } as const;

export class SseWriter {
  private keepAlive?: NodeJS.Timeout;
  /** Framed events (text, or an upstream's bytes) not yet handed to the socket; written at the end of the tick. */
  private pending: (string | Uint8Array)[] = [];
  /** Set while the socket is full: resolves on `drain` (or close). */
  private drained?: Promise<void>;

  constructor(private readonly res: Answer) {}

  /**
   * Sets the status and headers. They are not flushed alone: every caller has the
   * upstream's first event in hand already, and it carries them.
   */
  start(headers: Record<string, string>): void {
    writeHead(this.res, 200, headers, SSE_HEADERS);
  }

  /**
   * One event; `event` adds the `event:` line (Responses), omitted for Chat Completions.
   * `data` is sent as is when a string (it must hold no newline), else as its JSON.
   * The promise, when there is one, resolves once a full socket has drained.
   */
  send(data: unknown, event?: string): Promise<void> | undefined {
    const text = typeof data === "string" ? data : JSON.stringify(data);
    return this.write(event ? `event: ${event}\ndata: ${text}\n\n` : `data: ${text}\n\n`);
  }

  /**
   * Event blocks already framed as SSE (an upstream's, passed through as they came); same
   * promise as send().
   */
  forward(bytes: Uint8Array): Promise<void> | undefined {
    return this.write(bytes);
  }

  /** Ends the answer with what is pending; later calls (and sends) do nothing. */
  end(): void {
    if (this.res.writableEnded) return;
    if (this.keepAlive) clearTimeout(this.keepAlive);
    this.keepAlive = undefined;
    if (this.res.destroyed) return;
    this.res.end(this.take());
  }

  private write(chunk: string | Uint8Array): Promise<void> | undefined {
    if (this.res.writableEnded || this.res.destroyed) return undefined;
    if (this.pending.length === 0) process.nextTick(this.flush);
    this.pending.push(chunk);
    return this.drained;
  }

  /** What is pending, as one chunk: one HTTP chunk and one socket write per tick. */
  private take(): string | Uint8Array {
    const parts = this.pending;
    this.pending = [];
    if (parts.length === 1) return parts[0];
    if (parts.every((part) => typeof part === "string")) return parts.join("");
    return adjacent(parts) ?? Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : part)));
  }

  /** The comment's own flush re-arms the timer (refresh() revives one that has fired). */
  private keepAliveTimer(): NodeJS.Timeout {
    return setTimeout(() => void this.write(": keep-alive\n\n"), KEEP_ALIVE_MS).unref();
  }

  private readonly flush = (): void => {
    // Already flushed by end(), or the client is gone.
    if (this.pending.length === 0 || this.res.destroyed) return;
    const chunk = this.take();
    // Armed at the first flush rather than at start(): an answer that ends in the tick
    // it began (end() writes it all) never needs one.
    if (this.keepAlive) this.keepAlive.refresh();
    else this.keepAlive = this.keepAliveTimer();
    if (this.res.write(chunk) || this.drained) return;
    this.drained = new Promise<void>((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        this.drained = undefined;
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  };
}

/**
 * The parts as one view without copying, when they are consecutive slices of one buffer:
 * the usual case, an upstream chunk whose events were all forwarded as they came.
 */
function adjacent(parts: (string | Uint8Array)[]): Uint8Array | undefined {
  const first = parts[0];
  if (typeof first === "string") return undefined;
  let end = first.byteOffset + first.byteLength;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (typeof part === "string" || part.buffer !== first.buffer || part.byteOffset !== end) return undefined;
    end += part.byteLength;
  }
  return new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset);
}
