// Error responses in the two body shapes the real servers use: the OpenAI
// `{"error":{message,type,param,code}}` envelope (docs/protocol.md#platform-api-key,
// docs/protocol.md#siwc-errors, docs/protocol.md#codex-errors) and the backend's bare `{"detail":…}`
// (docs/protocol.md#codex-rejected-fields, docs/protocol.md#codex-errors). Routes and faults build errors
// only here so every path that reports, say, a rate limit reports it identically.

/** A complete HTTP error answer: status, JSON body and any extra headers. */
export interface HttpError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function openaiError(
  status: number,
  message: string,
  code: string | null,
  options: { type?: string; param?: string | null; headers?: Record<string, string> } = {},
): HttpError {
  const type = options.type ?? defaultType(status);
  return { status, body: { error: { message, type, param: options.param ?? null, code } }, headers: options.headers };
}

export function detailError(status: number, detail: unknown): HttpError {
  return { status, body: { detail } };
}

function defaultType(status: number): string {
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** Real 401 text masks all but the key's last four characters. */
export function invalidApiKey(key: string | undefined): HttpError {
  const shown = key ? `${key.slice(0, 3)}${"*".repeat(4)}${key.slice(-4)}` : "";
  const message = key
    ? `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`
    : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  return openaiError(401, message, key ? "invalid_api_key" : null);
}

/**
 * 429 with both retry headers; the message carries the delay too because Codex parses it
 * (docs/protocol.md#codex-retry-reference).
 */
export function rateLimited(retryAfterMs: number, includeHeaders: boolean): HttpError {
  const message =
    `Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. ` +
    `Please try again in ${formatDelay(retryAfterMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
  const headers = includeHeaders
    ? { "retry-after": String(retryAfterMs / 1000), "retry-after-ms": String(retryAfterMs) }
    : undefined;
  return openaiError(429, message, "rate_limit_exceeded", { type: "requests", headers });
}

/**
 * "20ms" below a second, "1.5s" above: the two forms Codex's regex accepts
 * (docs/protocol.md#codex-retry-reference).
 */
function formatDelay(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${Number((ms / 1000).toFixed(3))}s`;
}

export const platformQuotaExceeded = (): HttpError =>
  openaiError(
    429,
    "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
    "insufficient_quota",
    { type: "insufficient_quota" },
  );

export const serverError = (): HttpError =>
  openaiError(
    500,
    "The server had an error while processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if the error persists.",
    null,
  );

export const overloaded = (): HttpError =>
  openaiError(503, "The server is overloaded or not ready yet.", "server_is_overloaded", { type: "server_error" });

/**
 * SIWC errors (docs/protocol.md#siwc-errors). The docs name only the codes; `type` repeats the code for the
 * 429/503 signals (like `insufficient_quota`) and is `invalid_request_error` for
 * request-shape problems, which is what the Platform does for its own codes.
 */
export function siwcError(status: number, code: string, message: string, param: string | null = null): HttpError {
  const type = status === 429 || status === 503 ? code : "invalid_request_error";
  return openaiError(status, message, code, { type, param });
}

export const siwcUsageLimit = (): HttpError =>
  siwcError(
    429,
    "subscription_sharing_usage_limit_exceeded",
    "You have reached the usage limit this app may use from your ChatGPT plan. Review it at https://chatgpt.com/settings/usage.",
  );

export const siwcUsageUnavailable = (): HttpError =>
  siwcError(503, "subscription_sharing_usage_unavailable", "ChatGPT plan usage is temporarily unavailable. Please retry shortly.");

export const invalidJsonBody = (): HttpError =>
  openaiError(
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    null,
  );

export const invalidUrl = (method: string, path: string): HttpError =>
  openaiError(404, `Invalid URL (${method} ${path})`, null);
