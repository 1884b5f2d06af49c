// Who is calling api.openai.com/v1: a Platform key (docs/protocol.md#platform-api-key) or a SIWC access token
// (docs/protocol.md#siwc-inference). Keys are matched against the accepted set; anything else is handed to the
// auth half to verify. A verified token without `chatgpt.tokens.use.direct` (or a
// token of another kind) is refused as docs/protocol.md#siwc-errors prescribes.
import type { AuthEmulator } from "../auth/index.js";
import type { EmulatorContext } from "../context.js";
import { invalidApiKey, openaiError, siwcError } from "../errors.js";
import type { Exchange } from "../http.js";
import { fingerprint } from "../../redact.js";

export type VerifiedToken = Extract<Awaited<ReturnType<AuthEmulator["verifyAccessToken"]>>, { ok: true }>;

export type V1Caller =
  /** `principal` names the caller for stored responses and sealed reasoning. */
  | { kind: "platform"; principal: string }
  | { kind: "siwc"; principal: string; token: VerifiedToken };

const PLAN_SCOPE = "chatgpt.tokens.use.direct";

/** The caller, or undefined after answering 401/403. */
export async function authenticateV1(ex: Exchange, ctx: EmulatorContext): Promise<V1Caller | undefined> {
  const credential = ex.bearer();
  if (!credential) {
    ex.fail(invalidApiKey(undefined));
    return undefined;
  }
  if (ctx.apiKeys.has(credential)) return { kind: "platform", principal: `key:${fingerprint(credential)}` };
  if (credential.startsWith("sk-")) {
    ex.fail(invalidApiKey(credential));
    return undefined;
  }
  const verdict = await ctx.auth.verifyAccessToken(credential);
  if (!verdict.ok) {
    if (verdict.reason === "expired") ex.fail(openaiError(401, "Provided authentication token is expired.", "token_expired"));
    // docs/protocol.md#siwc-errors: a revoked grant reads as an invalid user; re-sign-in is the remedy.
    else if (verdict.reason === "revoked") ex.fail(siwcError(401, "subscription_sharing_invalid_user", "The ChatGPT sign-in for this app is no longer valid. Please sign in again."));
    else ex.fail(invalidApiKey(credential));
    return undefined;
  }
  if (verdict.kind !== "siwc" || !verdict.scopes.includes(PLAN_SCOPE)) {
    ex.fail(siwcError(403, "chatpass_v2_scope_not_authorized", `This token is not authorized for ChatGPT plan usage (missing scope ${PLAN_SCOPE}).`));
    return undefined;
  }
  return { kind: "siwc", principal: `siwc:${verdict.accountId}`, token: verdict };
}
