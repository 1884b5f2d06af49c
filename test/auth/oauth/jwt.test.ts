// JWT claim extraction for the Codex sign-in (docs/protocol.md#jwt-claims): base64url (`-`, `_`, no
// padding) decoded correctly, the claim paths and peer fallbacks, and which token wins.
import assert from "node:assert/strict";
import { test } from "node:test";
import { identityFromTokens } from "#src/auth/codex/tokens.js";
import { oauthIdentity } from "#src/auth/codex/auth-source.js";
import { chatGptClaims, decodeJwtPayload } from "#src/auth/oauth/jwt.js";
import { base64Url, unsignedJwt } from "../../support/jwt.js";

const AUTH = "https://api.openai.com/auth";

/** A payload whose base64url form contains both `-` and `_` and needs padding that is left out. */
function awkwardPayload(): Record<string, unknown> {
  // "~~~" encodes to "fn5-" and "???" to "Pz8_"; the name's length makes padding necessary.
  return {
    name: "~~~~~ ??????",
    email: "ada@example.com",
    exp: 1_900_000_000,
    [AUTH]: { chatgpt_account_id: "acc-1", chatgpt_plan_type: "pro", chatgpt_user_id: "user-1", chatgpt_account_is_fedramp: true },
  };
}

test("base64url payloads with - and _ and no padding decode (plain base64/atob would not)", () => {
  const token = unsignedJwt(awkwardPayload());
  const segment = token.split(".")[1];
  assert.match(segment, /-/);
  assert.match(segment, /_/);
  assert.notEqual(segment.length % 4, 0, "unpadded");
  assert.throws(() => atob(segment), "atob rejects base64url");
  const claims = chatGptClaims(decodeJwtPayload(token));
  assert.deepEqual(claims, {
    accountId: "acc-1",
    planType: "pro",
    userId: "user-1",
    email: "ada@example.com",
    subject: undefined,
    fedramp: true,
    expiresAt: 1_900_000_000_000,
  });
});

test("claim fallbacks: email under the profile claim, user_id, top-level account id, organizations[0].id", () => {
  assert.equal(chatGptClaims({ "https://api.openai.com/profile": { email: "p@example.com" } }).email, "p@example.com");
  assert.equal(chatGptClaims({ [AUTH]: { user_id: "u-2" } }).userId, "u-2");
  assert.equal(chatGptClaims({ chatgpt_account_id: "top" }).accountId, "top");
  assert.equal(chatGptClaims({ organizations: [{ id: "org-1" }, { id: "org-2" }] }).accountId, "org-1");
  assert.equal(chatGptClaims({ [AUTH]: { chatgpt_plan_type: "SelfServeBusinessUsageBased" } }).planType, "SelfServeBusinessUsageBased", "unknown plans kept raw");
});

test("opaque or broken tokens yield no claims instead of throwing", () => {
  for (const token of ["at-opaque-token", "a.b", `x.${base64Url("not json")}.y`, "x.!!!.y", ""]) {
    assert.equal(decodeJwtPayload(token), undefined, token);
  }
});

test("the ID token's identity wins (as Codex reads it); the access token fills gaps and gives the expiry", () => {
  const idToken = unsignedJwt({ email: "id@example.com", sub: "sub-1", [AUTH]: { chatgpt_account_id: "from-id", chatgpt_plan_type: "team" } });
  const accessToken = unsignedJwt({ exp: 2_000_000_000, [AUTH]: { chatgpt_account_id: "from-access", chatgpt_plan_type: "plus" }, "https://api.openai.com/profile": { email: "a@example.com" } });
  assert.deepEqual(identityFromTokens({ idToken, accessToken }), {
    accountId: "from-id",
    planType: "team",
    email: "id@example.com",
    subject: "sub-1",
    expiresAt: 2_000_000_000_000,
  });
  const onlyAccess = identityFromTokens({ accessToken, expiresIn: 60 }, 1000);
  assert.equal(onlyAccess.accountId, "from-access");
  assert.equal(onlyAccess.expiresAt, 2_000_000_000_000, "exp beats expires_in");
  assert.equal(identityFromTokens({ accessToken: "opaque", expiresIn: 60 }, 1000).expiresAt, 61_000, "expires_in when there is no exp");
});

test("request identity: the stored account id, and the FedRAMP flag from the tokens", () => {
  const idToken = unsignedJwt(awkwardPayload());
  const identity = oauthIdentity({ type: "oauth", accessToken: "opaque", refreshToken: "r", idToken, clientId: "c", lastRefresh: "", accountId: "stored" });
  assert.deepEqual(identity, { token: "opaque", accountId: "stored", fedramp: true });
});
