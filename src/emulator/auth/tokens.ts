// Minting access and ID tokens and assembling token-endpoint answers for both providers.
import { randomUUID } from "node:crypto";
import { decodeJwt, type JWTPayload } from "jose";
import { API_AUDIENCE, AUTH_CLAIM, PROFILE_CLAIM, type AuthContext } from "./context.js";
import { randomToken } from "./crypto-util.js";
import type { Family } from "./grants.js";
import { HttpError } from "./http-util.js";

// Five identical bytes always contain one base64-aligned triple; "~~~" encodes to a
// group ending in "+" (base64url "-") and "???" to one ending in "/" ("_"). Carrying this
// name in every token guarantees both characters in each payload, so a client that
// decodes JWTs with plain base64/atob fails every time, not intermittently (docs/protocol.md#jwt-claims).
const DISPLAY_NAME = "Ada Emulator ~~~~~ ?????";

const ID_TOKEN_TTL_SECONDS = 3600;

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The `https://api.openai.com/auth` claim of Codex tokens (docs/protocol.md#jwt-claims). */
function codexAuthClaim(ctx: AuthContext): Record<string, unknown> {
  const { user } = ctx;
  return {
    chatgpt_account_id: user.accountId,
    chatgpt_plan_type: user.planType,
    chatgpt_user_id: user.userId,
    user_id: user.userId,
    chatgpt_account_is_fedramp: false,
  };
}

async function mintAccessToken(
  ctx: AuthContext,
  family: Family,
  scopes: readonly string[],
): Promise<{ token: string; expiresIn: number }> {
  const { user } = ctx;
  const expiresIn = family.provider === "siwc" ? ctx.settings.siwcAccessTtlSeconds : ctx.settings.codexAccessTtlSeconds;
  const iat = nowSeconds();
  const jti = randomUUID();
  const common = { iss: ctx.issuer(), sub: user.subject, client_id: family.clientId, iat, nbf: iat, exp: iat + expiresIn, jti };
  // `name` is not a documented access-token claim; see DISPLAY_NAME.
  const claims: JWTPayload =
    family.provider === "siwc"
      ? {
          ...common,
          aud: API_AUDIENCE,
          scope: scopes.join(" "),
          // docs/protocol.md#siwc-refresh: opaque to clients.
          [AUTH_CLAIM]: { per_user_salt: ctx.perUserSalt, encrypted_auth_metadata: randomToken(48) },
          name: DISPLAY_NAME,
        }
      : {
          // Shaped like observed Codex tokens: array `aud`, `scp` list, email only under
          // the profile claim (so clients exercise the docs/protocol.md#jwt-claims email fallback).
          ...common,
          aud: [API_AUDIENCE],
          scp: [...scopes],
          session_id: `authsess_${randomToken(18)}`,
          [AUTH_CLAIM]: codexAuthClaim(ctx),
          [PROFILE_CLAIM]: { email: user.email, email_verified: true },
          name: DISPLAY_NAME,
        };
  ctx.grants.registerAccessToken(jti, (iat + expiresIn) * 1000, family);
  return { token: await ctx.keys.sign(claims), expiresIn };
}

/** ID token for the family's client, with `controls.idTokenFault` applied. */
async function mintIdToken(ctx: AuthContext, family: Family, nonce: string | undefined): Promise<string> {
  const { user } = ctx;
  const fault = ctx.controls.idTokenFault ?? null;
  let iat = nowSeconds();
  if (fault === "expired") iat -= 2 * ID_TOKEN_TTL_SECONDS;
  const claims: JWTPayload = {
    iss: fault === "wrong-issuer" ? "https://issuer.invalid" : ctx.issuer(),
    // docs/protocol.md#siwc-callback: `aud` is the issued client id. Codex tokens use the array form.
    aud: family.provider === "siwc" ? family.clientId : [family.clientId],
    sub: user.subject,
    email: user.email,
    email_verified: true,
    name: DISPLAY_NAME,
    iat,
    exp: iat + ID_TOKEN_TTL_SECONDS,
    auth_time: family.authTime,
  };
  if (fault === "wrong-audience") claims.aud = family.provider === "siwc" ? "oaiapp_someOtherApp" : ["app_someOtherApp"];
  if (nonce !== undefined) claims.nonce = fault === "wrong-nonce" ? randomToken(16) : nonce;
  if (family.provider === "codex") {
    claims[AUTH_CLAIM] = {
      ...codexAuthClaim(ctx),
      // What `id_token_add_organizations=true` asks for; peers fall back to organizations[0].id.
      organizations: [{ id: ctx.organizationId, is_default: true, role: "owner", title: "Personal" }],
    };
  }
  return ctx.keys.sign(claims, fault === "bad-signature");
}

/**
 * The token-endpoint answer for a new or refreshed grant. `refreshToken` must already be
 * rotated by the caller (synchronously, before this awaits). ID tokens minted on refresh
 * carry no nonce (OIDC Core §12.2).
 */
export async function tokenResponse(
  ctx: AuthContext,
  family: Family,
  options: { scopes: readonly string[]; refreshToken?: string; nonce?: string },
): Promise<Record<string, unknown>> {
  const access = await mintAccessToken(ctx, family, options.scopes);
  const body: Record<string, unknown> = {
    access_token: access.token,
    token_type: "Bearer",
    expires_in: access.expiresIn,
    refresh_token: options.refreshToken,
    id_token: await mintIdToken(ctx, family, options.nonce),
    scope: options.scopes.join(" "),
  };
  if (ctx.controls.omitTokenScope) {
    delete body.scope;
    ctx.controls.omitTokenScope = undefined;
  }
  if (family.provider === "siwc") {
    // docs/protocol.md#siwc-refresh names the field without explaining it. We answer unix seconds halfway through
    // the access token's life: the earliest moment a refresh is worthwhile.
    body.earliest_refresh_at = nowSeconds() + Math.floor(access.expiresIn / 2);
  }
  return body;
}

type RefreshFailure = "unknown" | "expired" | "reused" | "revoked";

/**
 * Codes and texts for refresh failures (docs/protocol.md#siwc-refresh, docs/protocol.md#refresh-failures).
 * The reuse text is the one seen from the real server; the others follow its wording. An unknown token is a
 * plain `invalid_grant`.
 */
export const REFRESH_ERRORS: Record<RefreshFailure, { code: string; message: string }> = {
  unknown: { code: "invalid_grant", message: "Invalid refresh token." },
  expired: { code: "refresh_token_expired", message: "Your refresh token has expired. Please try signing in again." },
  reused: {
    code: "refresh_token_reused",
    message: "Your refresh token has already been used to generate a new access token. Please try signing in again.",
  },
  revoked: { code: "refresh_token_invalidated", message: "Your refresh token has been invalidated. Please try signing in again." },
};

/** `controls.failNextTokenRequests`, consumed one request at a time. */
export function injectedTokenFailure(ctx: AuthContext): HttpError | undefined {
  const fault = ctx.controls.failNextTokenRequests;
  if (!fault || fault.count <= 0) return undefined;
  fault.count -= 1;
  if (fault.count <= 0) ctx.controls.failNextTokenRequests = undefined;
  return new HttpError(fault.status, fault.body, fault.headers);
}

/**
 * Revoke the sign-in a refresh token or access token belongs to, if it was issued to
 * `clientId`. RFC 7009 lets revoking either token end the whole grant; unknown tokens are
 * silently ignored (the endpoint still answers 200).
 */
export function revokePresentedToken(ctx: AuthContext, token: string, clientId: string): void {
  let family = ctx.grants.familyOf(token);
  if (!family) {
    try {
      const { jti } = decodeJwt(token);
      if (typeof jti === "string") family = ctx.grants.familyOf(jti);
    } catch {
      // Not a JWT: nothing of ours.
    }
  }
  if (family && family.clientId === clientId) ctx.grants.revokeFamily(family);
}
