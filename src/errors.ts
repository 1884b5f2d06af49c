import { redact } from "./redact.js";
import type { RateLimitSnapshot } from "./types.js";

/** The closed set of error codes callers can switch on. */
export type ErrorCode =
  | "usage_limit_reached"
  | "usage_not_included"
  | "insufficient_quota"
  | "rate_limited"
  | "server_overloaded"
  | "login_required"
  | "refresh_token_reused"
  | "invalid_credentials"
  | "permission_denied"
  | "bad_request"
  | "unsupported_parameter"
  | "context_length_exceeded"
  | "model_not_found"
  | "server_error"
  | "network_error"
  | "stream_truncated"
  | "idle_timeout"
  | "protocol_error"
  | "aborted"
  | "config_error"
  | "proxy_error"
  | "credential_store_error"
  | "login_failed";

export interface ProviderErrorOptions {
  retryable?: boolean;
  status?: number;
  /** The upstream error code or type, verbatim (e.g. `usage_limit_reached`, `invalid_api_key`). */
  upstreamCode?: string;
  param?: string;
  requestId?: string;
  /** Epoch milliseconds when a usage limit resets, when the server said so. */
  resetsAt?: number;
  /** Server-requested delay before retrying, in milliseconds. */
  retryAfterMs?: number;
  planType?: string;
  rateLimits?: RateLimitSnapshot;
  /** A command or action that fixes the problem, shown to CLI users. */
  hint?: string;
  cause?: unknown;
}

/**
 * Every failure the library reports. Messages are redacted at construction so no
 * token can leak through `message`, `stack` or `JSON.stringify`.
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  readonly upstreamCode?: string;
  readonly param?: string;
  readonly requestId?: string;
  readonly resetsAt?: number;
  readonly retryAfterMs?: number;
  readonly planType?: string;
  readonly rateLimits?: RateLimitSnapshot;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: ProviderErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.upstreamCode = options.upstreamCode;
    this.param = options.param;
    this.requestId = options.requestId;
    this.resetsAt = options.resetsAt;
    this.retryAfterMs = options.retryAfterMs;
    this.planType = options.planType;
    this.rateLimits = options.rateLimits;
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
    if (this.stack) this.stack = redact(this.stack);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      status: this.status,
      upstreamCode: this.upstreamCode,
      param: this.param,
      requestId: this.requestId,
      resetsAt: this.resetsAt === undefined ? undefined : new Date(this.resetsAt).toISOString(),
      retryAfterMs: this.retryAfterMs,
      planType: this.planType,
      hint: this.hint,
    };
  }
}

/** What went wrong, for a message: an Error's message, or whatever was thrown as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isProviderError(error: unknown, code?: ErrorCode): error is ProviderError {
  return error instanceof ProviderError && (code === undefined || error.code === code);
}
