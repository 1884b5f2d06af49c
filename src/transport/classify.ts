// Structural error classification (docs/protocol.md#siwc-errors, docs/protocol.md#codex-errors,
// docs/protocol.md#error-classification): HTTP status, the `error.code`/`error.type` of JSON bodies,
// `{"detail": …}` bodies, `x-error-json`, and in-stream `error` / `response.failed` payloads all land in one
// ProviderError.
import { ProviderError, type ErrorCode } from "../errors.js";
import type { RateLimitSnapshot } from "../types.js";
import { familyKey } from "./rate-limits.js";

const CHATGPT_USAGE_URL = "https://chatgpt.com/settings/usage";

/** The fields we read from any error payload, whatever its shape. */
export interface ErrorFacts {
  status?: number;
  code?: string;
  message?: string;
  param?: string;
  planType?: string;
  resetsAtSeconds?: number;
  resetsInSeconds?: number;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
function numeric(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Reads `{"error":{…}}`, `{"error":"code","error_description":…}`, `{"detail":…}` and bare `{code,message}`. */
export function errorFacts(payload: unknown, status?: number): ErrorFacts {
  const facts: ErrorFacts = { status };
  if (!payload || typeof payload !== "object") return facts;
  const body = payload as Record<string, unknown>;
  const inner = body.error;
  const source: Record<string, unknown> =
    inner && typeof inner === "object" ? (inner as Record<string, unknown>) : body;
  if (typeof inner === "string") {
    facts.code = inner;
    facts.message = str(body.error_description) ?? str(body.message);
  } else {
    // Prefer the specific `code`, except that the Codex backend puts its usage-limit
    // kinds in `type` (docs/protocol.md#codex-errors).
    const type = str(source.type);
    facts.code = type === "usage_limit_reached" || type === "usage_not_included" ? type : (str(source.code) ?? type);
    facts.message = str(source.message) ?? str(source.error_description);
    facts.param = str(source.param);
    facts.planType = str(source.plan_type);
    facts.resetsAtSeconds = numeric(source.resets_at);
    facts.resetsInSeconds = numeric(source.resets_in_seconds);
  }
  const detail = body.detail;
  if (typeof detail === "string") facts.message ??= detail;
  else if (detail && typeof detail === "object") {
    const d = detail as Record<string, unknown>;
    facts.code ??= str(d.code);
    facts.message ??= str(d.message) ?? str(d.code);
  }
  const nestedStatus = numeric(body.status) ?? numeric(body.status_code);
  if (facts.status === undefined && nestedStatus !== undefined) facts.status = nestedStatus;
  if (facts.code) facts.code = facts.code.toLowerCase();
  return facts;
}

/** `Retry-After` (seconds or HTTP date), `retry-after-ms`, or "try again in 20ms" in the message. */
export function retryAfterMs(headers: Record<string, string>, message?: string, now = Date.now()): number | undefined {
  const ms = numeric(headers["retry-after-ms"]);
  if (ms !== undefined && ms >= 0) return ms;
  const after = headers["retry-after"];
  if (after !== undefined) {
    const seconds = numeric(after);
    if (seconds !== undefined && seconds >= 0) return seconds * 1000;
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const match = message && /try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|seconds?)\b/i.exec(message);
  if (match) return Number(match[1]) * (match[2].toLowerCase() === "ms" ? 1 : 1000);
  return undefined;
}

interface Rule {
  code: ErrorCode;
  retryable: boolean;
  message?: (f: ErrorFacts) => string;
  hint?: string;
}

// Terminal vs retryable follows docs/protocol.md#error-classification; codes are matched before statuses.
const CODE_RULES: Record<string, Rule> = {
  usage_limit_reached: { code: "usage_limit_reached", retryable: false },
  usage_not_included: {
    code: "usage_not_included",
    retryable: false,
    message: () => "Your ChatGPT plan does not include Codex. To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus",
  },
  subscription_sharing_usage_limit_exceeded: {
    code: "usage_limit_reached",
    retryable: false,
    message: () => `You have reached this app's share of your ChatGPT plan usage. Check or raise the limit at ${CHATGPT_USAGE_URL}`,
    hint: CHATGPT_USAGE_URL,
  },
  subscription_sharing_usage_unavailable: { code: "server_overloaded", retryable: true },
  subscription_sharing_user_unavailable: { code: "server_overloaded", retryable: true },
  subscription_sharing_user_not_eligible: {
    code: "permission_denied",
    retryable: false,
    message: (f) => `This ChatGPT account is not eligible for plan usage in third-party apps${f.message ? `: ${f.message}` : "."}`,
  },
  subscription_sharing_unsupported_capability: { code: "unsupported_parameter", retryable: false },
  subscription_sharing_route_not_supported: { code: "bad_request", retryable: false },
  subscription_sharing_invalid_user: { code: "login_required", retryable: false },
  chatpass_v2_scope_not_authorized: { code: "permission_denied", retryable: false },
  chatpass_v2_invalid_authorization_context: { code: "permission_denied", retryable: false },
  insufficient_quota: {
    code: "insufficient_quota",
    retryable: false,
    message: () => "Quota exceeded. Check your plan and billing details.",
    hint: "https://platform.openai.com/settings/organization/billing",
  },
  rate_limit_exceeded: { code: "rate_limited", retryable: true },
  rate_limit_error: { code: "rate_limited", retryable: true },
  server_is_overloaded: { code: "server_overloaded", retryable: true },
  slow_down: { code: "server_overloaded", retryable: true },
  context_length_exceeded: { code: "context_length_exceeded", retryable: false },
  model_not_found: { code: "model_not_found", retryable: false },
  model_not_supported_with_chatgpt_account: { code: "model_not_found", retryable: false },
  invalid_api_key: { code: "invalid_credentials", retryable: false },
  token_expired: { code: "invalid_credentials", retryable: false },
  invalid_workspace_selected: {
    code: "permission_denied",
    retryable: false,
    message: () => "The backend rejected the ChatGPT workspace (invalid_workspace_selected). Sign in to the right workspace.",
  },
  server_error: { code: "server_error", retryable: true },
  // Request-content problems (docs/protocol.md#codex-errors, docs/protocol.md#error-classification): fix the
  // request, never retry.
  invalid_prompt: { code: "bad_request", retryable: false },
  bio_policy: { code: "bad_request", retryable: false },
  cyber_policy: {
    code: "bad_request",
    retryable: false,
    message: (f) => f.message ?? "This request has been flagged for possible cybersecurity risk.",
  },
  invalid_encrypted_content: {
    code: "bad_request",
    retryable: false,
    message: (f) => f.message ?? "Replayed reasoning items were issued for another account or model (invalid_encrypted_content).",
  },
  invalid_value: { code: "bad_request", retryable: false },
};

function ruleForStatus(status: number | undefined, facts: ErrorFacts): Rule {
  if (status === undefined) return { code: "server_error", retryable: true };
  if (status === 400 || status === 422) {
    if (facts.message && /unsupported parameter/i.test(facts.message)) return { code: "unsupported_parameter", retryable: false };
    // The Codex backend's `{"detail": "The '<model>' model is not supported when using Codex with a ChatGPT account."}` (docs/protocol.md#codex-rejected-fields).
    if (facts.message && /model is not supported when using Codex/i.test(facts.message)) return { code: "model_not_found", retryable: false };
    return { code: "bad_request", retryable: false };
  }
  if (status === 401) return { code: "invalid_credentials", retryable: false };
  if (status === 403) return { code: "permission_denied", retryable: false };
  if (status === 404) return { code: "model_not_found", retryable: false };
  if (status === 408 || status === 409) return { code: "server_error", retryable: true };
  if (status === 413) return { code: "context_length_exceeded", retryable: false };
  if (status === 429) return { code: "rate_limited", retryable: true };
  if (status === 503) return { code: "server_overloaded", retryable: true };
  if (status >= 500) return { code: "server_error", retryable: true };
  return { code: "bad_request", retryable: false };
}

export interface ClassifyContext {
  headers?: Record<string, string>;
  rateLimits?: RateLimitSnapshot;
  requestId?: string;
  now?: number;
}

export function classifyFacts(facts: ErrorFacts, context: ClassifyContext = {}): ProviderError {
  const now = context.now ?? Date.now();
  const headers = context.headers ?? {};
  const rule = (facts.code && CODE_RULES[facts.code]) || ruleForStatus(facts.status, facts);
  let retryable = rule.retryable;
  const shouldRetry = headers["x-should-retry"];
  if (shouldRetry === "false") retryable = false;

  let resetsAt: number | undefined;
  if (facts.resetsAtSeconds !== undefined) resetsAt = facts.resetsAtSeconds * 1000;
  else if (facts.resetsInSeconds !== undefined) resetsAt = now + facts.resetsInSeconds * 1000;

  let message = rule.message?.(facts) ?? facts.message ?? defaultMessage(rule.code, facts.status);
  if (rule.code === "usage_limit_reached" && facts.code === "usage_limit_reached") {
    message = facts.message ?? "You have hit your ChatGPT usage limit.";
    const limit = activeLimitLabel(context.rateLimits);
    if (limit) message += ` (limit: ${limit})`;
  }
  if (headers["cf-mitigated"] === "challenge") {
    return new ProviderError(
      "permission_denied",
      "The request was blocked by a Cloudflare challenge (not an authentication problem). Try from another network.",
      { status: facts.status, retryable: false, requestId: context.requestId },
    );
  }

  return new ProviderError(rule.code, message, {
    retryable,
    status: facts.status,
    upstreamCode: facts.code,
    param: facts.param,
    requestId: context.requestId,
    resetsAt: rule.code === "usage_limit_reached" ? resetsAt : undefined,
    retryAfterMs: retryable ? retryAfterMs(headers, facts.message, now) : undefined,
    planType: facts.planType,
    rateLimits: context.rateLimits,
    hint: rule.hint,
  });
}

/**
 * The limit a usage-limit 429 is about when it is not the main one: `x-codex-active-limit`
 * names it (openai/codex codex-api/src/api_bridge.rs reads that family's windows).
 */
function activeLimitLabel(rateLimits: RateLimitSnapshot | undefined): string | undefined {
  const key = familyKey(rateLimits?.activeLimit);
  if (key === undefined) return undefined;
  return rateLimits?.families?.[key]?.limitName ?? rateLimits?.activeLimit;
}

function defaultMessage(code: ErrorCode, status?: number): string {
  const suffix = status ? ` (HTTP ${status})` : "";
  switch (code) {
    case "rate_limited":
      return `Rate limited by the server${suffix}.`;
    case "server_overloaded":
      return `The selected model is at capacity${suffix}. Please try again or use a different model.`;
    case "server_error":
      return `The server had an error${suffix}.`;
    case "invalid_credentials":
      return `The server rejected the credential${suffix}.`;
    case "permission_denied":
      return `Access denied${suffix}.`;
    case "model_not_found":
      return `Model or route not found${suffix}.`;
    default:
      return `Request failed${suffix}.`;
  }
}

function decodeErrorHeader(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(Buffer.from(value, "base64").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** Classify a non-2xx HTTP response. */
export function classifyHttpError(
  status: number,
  headers: Record<string, string>,
  bodyText: string,
  context: Omit<ClassifyContext, "headers"> = {},
): ProviderError {
  let payload: unknown;
  try {
    payload = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    payload = undefined;
  }
  const facts = errorFacts(payload, status);
  if (!facts.code) {
    const fromHeader = errorFacts(decodeErrorHeader(headers["x-error-json"]), status);
    facts.code = fromHeader.code;
    facts.message ??= fromHeader.message;
  }
  if (!facts.message && payload === undefined && bodyText) {
    // Non-JSON body (HTML error page, proxy text): keep a short, redacted excerpt.
    facts.message = `HTTP ${status}: ${bodyText.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 200)}`;
  }
  return classifyFacts(facts, {
    ...context,
    headers,
    requestId: context.requestId ?? headers["x-request-id"] ?? headers["x-oai-request-id"],
  });
}
