// One request/response pair as the routes see it: headers in, JSON or SSE out, with
// the request id, per-route extra headers (rate limits) and the recorded outcome kept
// in step. Every response of the emulator leaves through here.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpError } from "./errors.js";
import { newId } from "./ids.js";
import type { RecordedRequest } from "./types.js";

export class Exchange {
  readonly requestId = newId("req");
  /** Headers every response of this exchange carries (x-ratelimit-*, x-codex-*). */
  readonly extraHeaders: Record<string, string> = {};
  /** Set when the emulator itself cut the connection (reset fault), so it is not blamed on the client. */
  destroyedByServer = false;
  readonly closed: Promise<void>;

  /** Parsed JSON body; undefined when absent, or the raw text when `bodyError`. */
  body: unknown;
  bodyError = false;
  bodyLength = 0;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly url: URL,
    readonly record: RecordedRequest,
  ) {
    this.closed = new Promise((resolve) => res.once("close", resolve));
  }

  /** Take the request body text: JSON when it parses, kept as text (and flagged) when not. */
  setBody(text: string): void {
    this.bodyLength = text.length;
    if (!text) return;
    try {
      this.body = JSON.parse(text);
    } catch {
      this.body = text;
      this.bodyError = true;
    }
    this.record.body = this.body;
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  /** The credential after `Bearer ` (scheme case-insensitive, RFC 6750). */
  bearer(): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(this.header("authorization") ?? "");
    return match?.[1];
  }

  /** True while the response can still be written. */
  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  sendJson(status: number, body: unknown, headers?: Record<string, string>): void {
    this.sendText(status, JSON.stringify(body), "application/json", headers);
  }

  sendText(status: number, text: string, contentType: string, headers?: Record<string, string>): void {
    if (!this.open) return;
    this.writeHead(status, { "content-type": contentType, "content-length": String(Buffer.byteLength(text)), ...headers });
    this.res.end(text);
  }

  /** A bodiless answer such as 204 or 304. */
  sendEmpty(status: number, headers?: Record<string, string>): void {
    if (!this.open) return;
    this.writeHead(status, { ...headers });
    this.res.end();
  }

  fail(error: HttpError): void {
    this.sendJson(error.status, error.body, error.headers);
  }

  /** Send the 200 head of a stream at once, so clients can tell "no headers" from "idle stream". */
  openStream(): void {
    this.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    this.res.flushHeaders();
  }

  /** Write one chunk; false means the socket is backed up and `drained()` should be awaited. */
  write(chunk: string): boolean {
    return this.open ? this.res.write(chunk) : true;
  }

  /** Resolves once buffered output has drained or the client has gone. */
  async drained(): Promise<void> {
    await Promise.race([new Promise((resolve) => this.res.once("drain", resolve)), this.closed]);
  }

  /** Cut the connection as a network failure would. */
  destroy(): void {
    this.destroyedByServer = true;
    this.res.destroy();
  }

  private writeHead(status: number, headers: Record<string, string>): void {
    this.record.status = status;
    this.res.writeHead(status, { "x-request-id": this.requestId, ...this.extraHeaders, ...headers });
  }
}
