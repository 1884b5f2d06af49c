// The OAuth AuthSource against a real store on disk: a 401 for a token the source has
// already replaced must be answered with a retry, not a second refresh (each refresh
// rotates the refresh token, so needless ones burn the grant and load the issuer).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OAuthCredential } from "#src/auth/credential.js";
import { OAuthAuthSource } from "#src/auth/oauth-source.js";
import { CredentialStore } from "#src/auth/store/index.js";
import { withHome } from "../support/home.js";

function credential(accessToken: string): OAuthCredential {
  return { type: "oauth", accessToken, refreshToken: `rt-${accessToken}`, clientId: "app_test", expiresAt: Date.now() + 3600_000, lastRefresh: new Date().toISOString() };
}

async function signedIn(home: string): Promise<{ source: OAuthAuthSource; refreshes: () => number }> {
  const store = new CredentialStore({ home });
  await store.modify("default", (data) => {
    data.credentials.chatgpt = credential("token-0");
  });
  let count = 0;
  const source = new OAuthAuthSource({
    store,
    profile: "default",
    providerId: "chatgpt",
    refresh: async () => {
      count += 1;
      return { accessToken: `token-${count}`, refreshToken: `rt-token-${count}` };
    },
    headersFor: (c) => ({ authorization: `Bearer ${c.accessToken}` }),
    loginCommand: "codex-provider login chatgpt",
  });
  return { source, refreshes: () => count };
}

describe("OAuthAuthSource after a 401", () => {
  it("a late 401 for the token already replaced retries with the new token without refreshing again", async () => {
    await withHome(async (home) => {
      const { source, refreshes } = await signedIn(home);
      const sent = await source.headers();
      // Two requests left with token-0; the first 401 refreshes, the second arrives after.
      assert.equal(await source.unauthorized(undefined, sent), true);
      assert.equal(refreshes(), 1);
      assert.equal(await source.unauthorized(undefined, { ...sent, accept: "application/json" }), true);
      assert.equal(refreshes(), 1, "the late 401 did not refresh again");
      assert.deepEqual(await source.headers(), { authorization: "Bearer token-1" });
    });
  });

  it("1000 requests sent with one token and refused at different times cause exactly one refresh", async () => {
    await withHome(async (home) => {
      const { source, refreshes } = await signedIn(home);
      const sent = await Promise.all(Array.from({ length: 1000 }, () => source.headers()));
      // Refusals arrive in waves: while the refresh runs and after it has finished.
      const waves = [sent.slice(0, 300), sent.slice(300, 700), sent.slice(700)];
      for (const wave of waves) {
        const retry = await Promise.all(wave.map((headers) => source.unauthorized(undefined, headers)));
        assert.ok(retry.every(Boolean));
      }
      assert.equal(refreshes(), 1);
    });
  });

  it("a 401 for the current token still refreshes (the token was revoked upstream)", async () => {
    await withHome(async (home) => {
      const { source, refreshes } = await signedIn(home);
      await source.unauthorized(undefined, await source.headers());
      await source.unauthorized(undefined, await source.headers());
      assert.equal(refreshes(), 2);
      assert.deepEqual(await source.headers(), { authorization: "Bearer token-2" });
    });
  });
});
