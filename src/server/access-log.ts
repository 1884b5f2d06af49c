// One access-log entry per request: method, path, status, model, latency, tokens.
// Never a credential, and never prompt or answer text unless the operator asked for
// bodies (`--log-bodies`); even then bodies pass through the redactor.
import { redact } from "../redact.js";
import { logField as field, terminalSafe } from "./log-text.js";
import type { Usage } from "../types.js";

export interface AccessLogEntry {
  time: string;
  requestId: string;
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  model?: string;
  ms: number;
  inputTokens?: number;
  outputTokens?: number;
  /** Request fields dropped because the upstream rejects them. */
  dropped?: string[];
  /** Error code of a failed request (never its message, which may quote the input). */
  error?: string;
  /** The client went away before the answer finished. */
  clientAborted?: boolean;
  /** Redacted request body, only with `logBodies`. */
  body?: string;
}

const MAX_LOGGED_BODY = 64 * 1024;

export class RequestRecord {
  readonly started = performance.now();
  model?: string;
  usage?: Usage;
  dropped: string[] = [];
  error?: string;
  body?: string;
  /** When the answer closed: the entry's latency ends there, not when the entry is made. */
  private closedAt?: number;
  /** Set by hold(): the request is still being read after its answer ended. */
  private held = false;
  /** What close() was given while held. */
  private onRelease?: () => void;

  constructor(
    readonly requestId: string,
    readonly method: string,
    readonly path: string,
  ) {}

  /**
   * The answer ends before the route has finished with the request: a stream's answer ends
   * at the upstream's terminal event, whose usage (for this entry) and response (for the
   * store) are read after. close() waits for the returned release.
   */
  hold(): () => void {
    this.held = true;
    return () => {
      this.held = false;
      const after = this.onRelease;
      this.onRelease = undefined;
      after?.();
    };
  }

  /** The answer has closed: `after` (the entry, the request's end) runs now, or once released. */
  close(after: () => void): void {
    this.closedAt = performance.now();
    if (this.held) this.onRelease = after;
    else after();
  }

  /** Keep the request body for the log (only called with `logBodies`). */
  keepBody(text: string): void {
    this.body = redact(text.length > MAX_LOGGED_BODY ? `${text.slice(0, MAX_LOGGED_BODY)}…` : text);
  }

  entry(status: number, clientAborted: boolean): AccessLogEntry {
    return {
      time: new Date().toISOString(),
      requestId: this.requestId,
      method: this.method,
      path: this.path,
      status,
      model: this.model,
      ms: Math.round((this.closedAt ?? performance.now()) - this.started),
      inputTokens: this.usage?.inputTokens,
      outputTokens: this.usage?.outputTokens,
      dropped: this.dropped.length ? this.dropped : undefined,
      error: this.error,
      clientAborted: clientAborted || undefined,
      body: this.body,
    };
  }
}

/**
 * One text line per request; every value a client or upstream chose (model, dropped
 * parameter names, error codes, the body) is escaped, so no request can forge a line
 * or send escape sequences to the operator's terminal:
 * `POST /v1/responses 200 gpt-5.5 812ms tokens=12/34 dropped=temperature req_ab12`
 */
export function formatAccessLine(entry: AccessLogEntry): string {
  const parts = [entry.time, field(entry.method), field(entry.path), String(entry.status), entry.model === undefined ? "-" : field(entry.model), `${entry.ms}ms`];
  if (entry.inputTokens !== undefined) parts.push(`tokens=${entry.inputTokens}/${entry.outputTokens ?? 0}`);
  if (entry.dropped) parts.push(`dropped=${entry.dropped.map(field).join(",")}`);
  if (entry.error) parts.push(`error=${field(entry.error)}`);
  if (entry.clientAborted) parts.push("client-aborted");
  parts.push(entry.requestId);
  if (entry.body !== undefined) parts.push(`body=${field(entry.body)}`);
  return parts.join(" ");
}

/** The entry as one JSON line; JSON already escapes C0 controls, the rest are escaped too. */
export function formatAccessJson(entry: AccessLogEntry): string {
  return terminalSafe(JSON.stringify(entry));
}
