// Authentication of bearer tokens presented to the inference routes.
import { errors } from "jose";
import { API_AUDIENCE, CODEX_CLIENT_ID, type AuthContext } from "./context.js";
import type { PersonalTokens } from "./personal-tokens.js";
import type { TokenCheck } from "./types.js";

export async function verifyAccessToken(ctx: AuthContext, personal: PersonalTokens, token: string): Promise<TokenCheck> {
  const { user } = ctx;
  const identity = { subject: user.subject, accountId: user.accountId, planType: user.planType, email: user.email };
  if (token.startsWith("at-")) {
    const check = personal.check(token);
    return check.ok ? { ok: true, kind: "access-token", ...identity, scopes: [], fedramp: check.fedramp } : check;
  }
  let payload;
  try {
    payload = await ctx.keys.verify(token, ctx.issuer());
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
  // ID tokens are signed by the same key but addressed to the client, not the API.
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const clientId = payload.client_id;
  if (!audiences.includes(API_AUDIENCE) || typeof payload.jti !== "string" || typeof clientId !== "string") {
    return { ok: false, reason: "invalid" };
  }
  const status = ctx.grants.accessStatus(payload.jti);
  if (status !== "ok") return { ok: false, reason: status === "unknown" ? "invalid" : status };
  // The issuing client tells the two kinds apart; their scope claims differ in shape too.
  if (clientId === CODEX_CLIENT_ID) {
    const scopes = Array.isArray(payload.scp) ? payload.scp.filter((s): s is string => typeof s === "string") : [];
    return { ok: true, kind: "codex", ...identity, clientId, scopes, fedramp: false };
  }
  const scopes = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : [];
  return { ok: true, kind: "siwc", ...identity, clientId, scopes };
}
