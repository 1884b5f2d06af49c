// POSTs to OAuth endpoints (token, revoke, device) and the refresh-error taxonomy
// (docs/protocol.md#siwc-refresh, docs/protocol.md#refresh-failures). Bodies and errors never carry token
// values out: messages come from the server's error code/description and pass through the redactor.
import { ProviderError } from "../../errors.js";
import { send } from "../../transport/http.js";
import { errorFacts } from "../../transport/classify.js";
import { readBoundedText, readErrorExcerpt } from "../../transport/body-text.js";
import { registerSecret } from "../../redact.js";

const OAUTH_BODY_BYTES = 1024 * 1024;

export interface OAuthHttpResponse {
  status: number;
  json: Record<string, unknown> | undefined;
  text: string;
  headers: Record<string, string>;
}

/**
 * Per-phase timeout of an OAuth POST (headers, then body idle). A refresh runs while
 * holding the credential lock, so both phases together stay below the lock wait
 * (DEFAULT_TIMEOUT_MS in auth/store/lock.ts): a waiter never gives up on a holder
 * that is still within its refresh.
 */
export const OAUTH_REQUEST_TIMEOUT_MS = 10_000;

export async function postOAuth(
  url: string,
  fields: Record<string, string | undefined>,
  options: { encoding: "form" | "json"; headers?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number },
): Promise<OAuthHttpResponse> {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const body = options.encoding === "form" ? new URLSearchParams(defined).toString() : JSON.stringify(defined);
  const response = await send({
    url,
    method: "POST",
    headers: {
      "content-type": options.encoding === "form" ? "application/x-www-form-urlencoded" : "application/json",
      accept: "application/json",
      ...options.headers,
    },
    body,
    signal: options.signal,
    headersTimeoutMs: options.timeoutMs ?? OAUTH_REQUEST_TIMEOUT_MS,
    idleTimeoutMs: options.timeoutMs ?? OAUTH_REQUEST_TIMEOUT_MS,
  });
  // Token, device and revoke answers are a few hundred bytes; nothing legitimate comes near the bound.
  const text = response.status >= 400 ? await readErrorExcerpt(response) : await readBoundedText(response, OAUTH_BODY_BYTES, `The answer from ${new URL(url).origin}${new URL(url).pathname}`);
  let json: Record<string, unknown> | undefined;
  try {
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    json = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresIn?: number;
  scope?: string;
  tokenType?: string;
}

/** Reads a token response, registering every token with the redactor at once. */
export function parseTokenSet(json: Record<string, unknown> | undefined, required: Array<"refresh_token" | "id_token"> = []): TokenSet {
  const accessToken = json?.access_token;
  if (typeof accessToken !== "string" || accessToken === "") {
    throw new ProviderError("protocol_error", "The token endpoint answered without an access_token.");
  }
  for (const field of required) {
    if (typeof json?.[field] !== "string") throw new ProviderError("protocol_error", `The token endpoint answered without ${field}.`);
  }
  const set: TokenSet = {
    accessToken,
    refreshToken: typeof json?.refresh_token === "string" ? json.refresh_token : undefined,
    idToken: typeof json?.id_token === "string" ? json.id_token : undefined,
    expiresIn: typeof json?.expires_in === "number" ? json.expires_in : undefined,
    scope: typeof json?.scope === "string" ? json.scope : undefined,
    tokenType: typeof json?.token_type === "string" ? json.token_type : undefined,
  };
  registerSecret(set.accessToken);
  registerSecret(set.refreshToken);
  registerSecret(set.idToken);
  return set;
}

// Codes after which the refresh token can never work again. Codex treats
// `refresh_token_expired` / `_reused` / `_invalidated` (and any 401) as permanent
// (openai/codex login/src/auth/manager.rs, `classify_refresh_token_failure`); the SIWC
// errors-and-recovery page adds `invalid_grant`, `invalid_refresh_token` and
// `token_expired`. Everything else is transient and must not sign anyone out.
const TERMINAL_REFRESH: Record<string, string> = {
  refresh_token_expired: "your refresh token has expired",
  refresh_token_reused: "your refresh token was already used (another program sharing this login, such as Codex CLI, may have refreshed it)",
  refresh_token_invalidated: "your refresh token was revoked",
  invalid_grant: "the sign-in is no longer valid",
  invalid_refresh_token: "the refresh token is invalid",
  token_expired: "the sign-in has expired",
};

/**
 * Maps a failed refresh to a ProviderError. Terminal (`login_required` or
 * `refresh_token_reused`, persisted by the caller): a documented code above,
 * `invalid_client`, or HTTP 401. Anything else — a proxy's or Cloudflare's 403 page, a
 * 5xx, a 400 or 429 without a known code — is a retryable `network_error` that keeps
 * the credential: the next attempt, or the next call, refreshes again.
 */
export function refreshError(response: OAuthHttpResponse, loginCommand: string): ProviderError {
  const facts = errorFacts(response.json, response.status);
  const code = facts.code;
  const hint = `Sign in again: ${loginCommand}`;
  if (code && TERMINAL_REFRESH[code]) {
    return new ProviderError(
      code === "refresh_token_reused" ? "refresh_token_reused" : "login_required",
      `Your access token could not be refreshed because ${TERMINAL_REFRESH[code]}.`,
      { status: response.status, upstreamCode: code, hint },
    );
  }
  if (code === "invalid_client") {
    return new ProviderError("login_required", "The OAuth client was rejected (invalid_client); the saved client registration is not valid.", {
      status: response.status,
      upstreamCode: code,
      hint,
    });
  }
  if (response.status === 401) {
    return new ProviderError("login_required", "Your access token could not be refreshed.", { status: response.status, upstreamCode: code, hint });
  }
  const page = response.json === undefined && response.text.trim() !== "" ? " with a non-JSON page (a proxy or firewall may have answered)" : "";
  return new ProviderError("network_error", `The token endpoint failed (HTTP ${response.status}${code ? `, ${code}` : ""})${page}; your sign-in is kept, try again shortly.`, {
    status: response.status,
    upstreamCode: code,
    retryable: true,
  });
}
