// Server-sent events to one client, LF-framed (docs/protocol.md#server-event-set). Writes wait for the
// socket to drain, so a slow client slows its own upstream read instead of growing
// our memory; a comment line keeps idle connections (long reasoning) alive through
// proxies without being an event any client sees.
import type { ServerResponse } from "node:http";

const KEEP_ALIVE_MS = 15_000;

export class SseWriter {
  private keepAlive?: NodeJS.Timeout;

  constructor(private readonly res: ServerResponse) {}

  start(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
    this.res.flushHeaders();
    this.armKeepAlive();
  }

  /** One event; `event` adds the `event:` line (Responses), omitted for Chat Completions. */
  async send(data: unknown, event?: string): Promise<void> {
    const text = typeof data === "string" ? data : JSON.stringify(data);
    await this.write(`${event ? `event: ${event}\n` : ""}data: ${text}\n\n`);
  }

  end(): void {
    this.stopKeepAlive();
    if (!this.res.destroyed) this.res.end();
  }

  private async write(chunk: string): Promise<void> {
    if (this.res.destroyed) return;
    this.armKeepAlive();
    if (this.res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  }

  private armKeepAlive(): void {
    this.stopKeepAlive();
    this.keepAlive = setTimeout(() => {
      if (!this.res.destroyed) this.res.write(": keep-alive\n\n");
      this.armKeepAlive();
    }, KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  private stopKeepAlive(): void {
    if (this.keepAlive) clearTimeout(this.keepAlive);
    this.keepAlive = undefined;
  }
}
