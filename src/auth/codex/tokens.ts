// The Codex client's token endpoint: code exchange (docs/protocol.md#codex-code-exchange), refresh
// (docs/protocol.md#codex-refresh, docs/protocol.md#refresh-failures) and revocation
// (docs/protocol.md#codex-revocation), and turning a token response into the stored credential
// (docs/protocol.md#jwt-claims).
import { ProviderError } from "../../errors.js";
import type { OAuthCredential } from "../credential.js";
import { chatGptClaims, decodeJwtPayload } from "../oauth/jwt.js";
import { parseTokenSet, postOAuth, refreshError, type OAuthHttpResponse, type TokenSet } from "../oauth/token-client.js";
import { CODEX_CLIENT_ID, type CodexAuthEndpoints } from "./constants.js";
import { clientHeaders } from "./headers.js";

const REVOKE_TIMEOUT_MS = 10_000;

/**
 * docs/protocol.md#codex-code-exchange: prefer `error_description`, then `error.message`, then the code;
 * never the raw body (it may echo a code).
 */
function exchangeErrorText(response: OAuthHttpResponse): string {
  const json = response.json ?? {};
  const inner = json.error;
  const nested = inner && typeof inner === "object" ? (inner as Record<string, unknown>) : {};
  const text = [json.error_description, nested.message, typeof inner === "string" ? inner : undefined, nested.code].find(
    (value): value is string => typeof value === "string" && value !== "",
  );
  return text ?? `HTTP ${response.status}`;
}

/**
 * Exchange an authorization code (browser or device flow) for tokens. Form-encoded,
 * without `state` (docs/protocol.md#codex-code-exchange); Codex needs all three tokens, so all three are required.
 */
export async function exchangeCode(
  endpoints: CodexAuthEndpoints,
  grant: { code: string; verifier: string; redirectUri: string },
  signal?: AbortSignal,
): Promise<OAuthCredential> {
  const response = await postOAuth(
    endpoints.token,
    {
      grant_type: "authorization_code",
      code: grant.code,
      redirect_uri: grant.redirectUri,
      client_id: CODEX_CLIENT_ID,
      code_verifier: grant.verifier,
    },
    { encoding: "form", headers: clientHeaders(), signal },
  );
  if (response.status !== 200) {
    const hint =
      response.status === 403
        ? "A 403 here usually means the redirect port is not registered for the Codex client (only 1455 and 1457 are), or a proxy/Cloudflare blocked the request."
        : undefined;
    throw new ProviderError("login_failed", `The token exchange failed: ${exchangeErrorText(response)}`, { status: response.status, hint });
  }
  return credentialFromTokens(parseTokenSet(response.json, ["refresh_token", "id_token"]), endpoints.issuer);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type TokenIdentity = Partial<Pick<OAuthCredential, "accountId" | "planType" | "email" | "subject" | "expiresAt">>;

/**
 * Identity fields from the tokens (only those found): the ID token first (as Codex
 * does), then the access token (as Pi does).
 */
export function identityFromTokens(tokens: { accessToken: string; idToken?: string; expiresIn?: number }, now = Date.now()): TokenIdentity {
  const id = chatGptClaims(decodeJwtPayload(tokens.idToken));
  const access = chatGptClaims(decodeJwtPayload(tokens.accessToken));
  return definedOnly({
    accountId: id.accountId ?? access.accountId,
    planType: id.planType ?? access.planType,
    email: id.email ?? access.email,
    subject: id.subject ?? access.subject,
    // The lifetime is undocumented and varies (docs/protocol.md#codex-refresh): trust `exp`, then `expires_in`.
    expiresAt: access.expiresAt ?? (tokens.expiresIn !== undefined ? now + tokens.expiresIn * 1000 : undefined),
  });
}

function credentialFromTokens(tokens: TokenSet, issuer: string, now = Date.now()): OAuthCredential {
  if (!tokens.refreshToken) throw new ProviderError("protocol_error", "The token endpoint answered without refresh_token.");
  return {
    type: "oauth",
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    idToken: tokens.idToken,
    clientId: CODEX_CLIENT_ID,
    issuer,
    ...identityFromTokens(tokens, now),
    lastRefresh: new Date(now).toISOString(),
  };
}

/**
 * Refresh for OAuthAuthSource. JSON with exactly Codex's `RefreshRequest` fields
 * (client_id, grant_type, refresh_token; openai/codex login/src/auth/manager.rs): we
 * present ourselves as that client, so its encoding is the one the server has most
 * reason to keep accepting. Fields the server leaves out are kept, as Codex does (a
 * response without `refresh_token` keeps the old one).
 */
export async function refreshCodexTokens(endpoints: CodexAuthEndpoints, credential: OAuthCredential, loginCommand: string): Promise<Partial<OAuthCredential>> {
  const response = await postOAuth(
    endpoints.token,
    { client_id: CODEX_CLIENT_ID, grant_type: "refresh_token", refresh_token: credential.refreshToken },
    { encoding: "json", headers: clientHeaders() },
  );
  if (response.status !== 200) throw refreshError(response, loginCommand);
  const tokens = parseTokenSet(response.json);
  const idToken = tokens.idToken ?? credential.idToken;
  return definedOnly({
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    idToken,
    ...identityFromTokens({ accessToken: tokens.accessToken, idToken, expiresIn: tokens.expiresIn }),
  });
}

/**
 * Best-effort revocation (docs/protocol.md#codex-revocation): the refresh token when there is one, else the access
 * token. Resolves false on any failure; logout proceeds regardless.
 */
export async function revokeCodexToken(endpoints: CodexAuthEndpoints, token: { refreshToken?: string; accessToken?: string }): Promise<boolean> {
  const fields = token.refreshToken
    ? { token: token.refreshToken, token_type_hint: "refresh_token", client_id: CODEX_CLIENT_ID }
    : { token: token.accessToken, token_type_hint: "access_token" };
  if (!fields.token) return false;
  try {
    const response = await postOAuth(endpoints.revoke, fields, { encoding: "json", headers: clientHeaders(), timeoutMs: REVOKE_TIMEOUT_MS });
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}
