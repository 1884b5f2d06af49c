// Every failure the local server answers with, in OpenAI's error envelope
// `{"error":{message,type,param,code}}` and with a status real clients act on: the
// openai SDK retries by status unless `x-should-retry` says otherwise (docs/protocol.md#retry),
// and Codex reads `type: "usage_limit_reached"` + `resets_at` from a 429 (docs/protocol.md#codex-errors).
import { ProviderError, type ErrorCode } from "../errors.js";
import { redact } from "../redact.js";
import { terminalSafe } from "./log-text.js";
import { formatDuration } from "../time-format.js";
import { ServerError } from "../wire/server-error.js";

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: { error: Record<string, unknown> };
}

// Upstream failures that are not the client's fault are gateway errors (502/503/504);
// our own misconfiguration (provider not logged in is 401, see below) is a 500.
const STATUS: Record<ErrorCode, number> = {
  usage_limit_reached: 429,
  usage_not_included: 403,
  insufficient_quota: 429,
  rate_limited: 429,
  server_overloaded: 503,
  login_required: 401,
  refresh_token_reused: 401,
  invalid_credentials: 401,
  login_failed: 401,
  permission_denied: 403,
  bad_request: 400,
  unsupported_parameter: 400,
  context_length_exceeded: 400,
  model_not_found: 404,
  server_error: 502,
  network_error: 502,
  protocol_error: 502,
  stream_truncated: 502,
  idle_timeout: 504,
  aborted: 503,
  config_error: 500,
  // Our outbound proxy refused us: the gateway (this server) failed, not the client's request.
  proxy_error: 502,
  credential_store_error: 500,
};

const AUTH_CODES = new Set<ErrorCode>(["login_required", "refresh_token_reused", "invalid_credentials", "login_failed"]);

export interface ErrorContext {
  /** The provider id and profile, for the login command in 401 messages. */
  provider: string;
  profile: string;
  now?: number;
}

function errorType(status: number, code: ErrorCode): string {
  if (code === "usage_limit_reached" || code === "insufficient_quota" || code === "usage_not_included") return code;
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "server_error" : "invalid_request_error";
}

function loginCommand(context: ErrorContext): string {
  const profile = context.profile === "default" ? "" : ` --profile ${context.profile}`;
  return `codex-provider login --provider ${context.provider}${profile}`;
}

function fromProviderError(error: ProviderError, context: ErrorContext): ErrorAnswer {
  const now = context.now ?? Date.now();
  const status = STATUS[error.code];
  let message = error.message;
  const extra: Record<string, unknown> = {};
  const headers: Record<string, string> = { "x-should-retry": String(error.retryable) };

  if (error.code === "usage_limit_reached" && error.resetsAt !== undefined) {
    // The reset time goes in the message for every client, and in Codex's fields for Codex.
    message += ` The limit resets at ${new Date(error.resetsAt).toISOString()} (in ${formatDuration(error.resetsAt - now)}).`;
    extra.resets_at = Math.floor(error.resetsAt / 1000);
    extra.resets_in_seconds = Math.max(0, Math.round((error.resetsAt - now) / 1000));
  }
  if (error.planType) extra.plan_type = error.planType;
  if (AUTH_CODES.has(error.code)) {
    // The local key was fine; the provider's own credential is what needs attention.
    message = `The ${context.provider} provider behind codex-provider could not authenticate: ${message} ${error.hint ?? `Run: ${loginCommand(context)}`}`;
  } else if (error.hint && !message.includes(error.hint)) {
    message += ` ${error.hint}`;
  }
  if (error.retryable && error.retryAfterMs !== undefined) {
    headers["retry-after-ms"] = String(Math.ceil(error.retryAfterMs));
    headers["retry-after"] = String(Math.ceil(error.retryAfterMs / 1000));
  }
  if (error.requestId) headers["x-upstream-request-id"] = error.requestId;
  return {
    status,
    headers,
    body: {
      error: { message, type: errorType(status, error.code), param: error.param ?? null, code: error.upstreamCode ?? error.code, ...extra },
    },
  };
}

/** The HTTP answer for an error the server raised itself. */
export function serverErrorAnswer(error: ServerError): ErrorAnswer {
  const status = error.status;
  return {
    status,
    headers: { "x-should-retry": "false", ...error.options.headers },
    body: { error: { message: error.message, type: error.options.type ?? errorType(status, "bad_request"), param: error.options.param ?? null, code: error.code } },
  };
}

/** The HTTP answer for anything a handler threw. Unknown errors become an opaque 500. */
export function errorAnswer(error: unknown, context: ErrorContext): ErrorAnswer {
  if (error instanceof ServerError) return serverErrorAnswer(error);
  if (error instanceof ProviderError) return fromProviderError(error, context);
  return {
    status: 500,
    headers: {},
    body: { error: { message: "Internal error in codex-provider; see the server log.", type: "server_error", param: null, code: "internal_error" } },
  };
}

/**
 * An unexpected (non-typed) failure for the server log, redacted. Its message may quote
 * a request, so it is escaped to one line; the stack frames below it are our own.
 */
export function describeUnexpected(error: unknown): string {
  if (!(error instanceof Error)) return redact(terminalSafe(String(error)));
  const head = `${error.name}: ${error.message}`;
  const frames = error.stack?.startsWith(head) ? error.stack.slice(head.length) : "";
  return redact(terminalSafe(head) + frames);
}
