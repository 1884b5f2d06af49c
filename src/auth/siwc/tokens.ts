// SIWC token-endpoint calls: code exchange and refresh (docs/protocol.md#siwc-callback,
// docs/protocol.md#siwc-refresh). Both are form posts with the issued client id and the resource; no client
// secret.
import { ProviderError } from "../../errors.js";
import { errorFacts } from "../../transport/classify.js";
import type { OAuthCredential } from "../credential.js";
import { decodeJwtPayload } from "../oauth/jwt.js";
import { parseTokenSet, postOAuth, refreshError, type TokenSet } from "../oauth/token-client.js";
import { PLAN_SCOPE, SIWC_RESOURCE, tokenEndpoint } from "./constants.js";

export interface CodeExchange {
  issuer: string;
  clientId: string;
  code: string;
  verifier: string;
  redirectUri: string;
  signal?: AbortSignal;
}

/** Trades the authorization code for tokens; a refresh and an ID token are required. */
export async function exchangeCode(exchange: CodeExchange): Promise<TokenSet> {
  const response = await postOAuth(
    tokenEndpoint(exchange.issuer),
    {
      grant_type: "authorization_code",
      client_id: exchange.clientId,
      code: exchange.code,
      code_verifier: exchange.verifier,
      redirect_uri: exchange.redirectUri,
      resource: SIWC_RESOURCE,
    },
    { encoding: "form", signal: exchange.signal },
  );
  if (response.status !== 200) {
    const { code } = errorFacts(response.json, response.status);
    // docs/protocol.md#siwc-callback: invalid_grant means this code is spent; only a new attempt can help.
    throw new ProviderError("login_failed", `The sign-in server refused the authorization code (${code ?? `HTTP ${response.status}`}).`, {
      status: response.status,
      upstreamCode: code,
      hint: "Run the login again; each attempt needs a fresh code.",
    });
  }
  return parseTokenSet(response.json, ["refresh_token", "id_token"]);
}

/**
 * Refreshes a SIWC credential. Omitting `scope` keeps the grant (docs/protocol.md#siwc-refresh). Terminal
 * failures become `login_required`/`refresh_token_reused` with `loginCommand`.
 */
export async function refreshCredential(issuer: string, credential: OAuthCredential, loginCommand: string): Promise<Partial<OAuthCredential>> {
  const response = await postOAuth(
    tokenEndpoint(issuer),
    {
      grant_type: "refresh_token",
      client_id: credential.clientId,
      refresh_token: credential.refreshToken,
      resource: SIWC_RESOURCE,
    },
    // Never tied to a caller's signal: a started refresh must finish so the rotated
    // refresh token gets saved (docs/protocol.md#peer-weaknesses).
    { encoding: "form" },
  );
  if (response.status !== 200) throw refreshError(response, loginCommand);
  const tokens = parseTokenSet(response.json);
  return {
    accessToken: tokens.accessToken,
    // Rotation is the rule; if a response ever omits it, the old one stays valid.
    refreshToken: tokens.refreshToken ?? credential.refreshToken,
    idToken: tokens.idToken ?? credential.idToken,
    expiresAt: expiresAt(tokens),
    ...grantedScopes(tokens.scope?.split(" ").filter(Boolean) ?? credential.scopes),
  };
}

/** Epoch ms from `expires_in`, else from the access token's `exp`. */
export function expiresAt(tokens: TokenSet, now = Date.now()): number | undefined {
  if (tokens.expiresIn !== undefined) return now + tokens.expiresIn * 1000;
  const exp = decodeJwtPayload(tokens.accessToken)?.exp;
  return typeof exp === "number" ? exp * 1000 : undefined;
}

/** The scopes and whether they allow spending plan usage (docs/protocol.md#siwc-callback). */
export function grantedScopes(scopes: string[] | undefined): Pick<OAuthCredential, "scopes" | "planUsageEnabled"> {
  return scopes === undefined ? {} : { scopes, planUsageEnabled: scopes.includes(PLAN_SCOPE) };
}
