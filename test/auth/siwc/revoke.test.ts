// Discovery's issuer check, revocation retries and the "unconfirmed" outcomes, against
// a small scripted issuer over a real socket (the emulator's revocation always succeeds).
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import type { OAuthCredential } from "#src/auth/credential.js";
import { discover } from "#src/auth/oauth/discovery.js";
import { revokeCredential } from "#src/auth/siwc/revoke.js";
import { ProviderError } from "#src/errors.js";
import type { Clock } from "#src/transport/retry.js";

const credential: OAuthCredential = {
  type: "oauth",
  accessToken: "access-token-for-revoke-test",
  refreshToken: "refresh-token-for-revoke-test",
  clientId: "oaiapp_revoketest",
  lastRefresh: new Date().toISOString(),
};

const instantClock: Clock = { now: () => Date.now(), random: () => 0.5, sleep: async () => undefined };

interface Issuer {
  url: string;
  posts: Array<Record<string, string>>;
  close(): Promise<void>;
}

/** An issuer whose revocation endpoint answers `statuses` in turn (then 200). */
async function scriptedIssuer(statuses: number[], withRevocation = true, claimedIssuer?: string): Promise<Issuer> {
  const posts: Array<Record<string, string>> = [];
  let url = "";
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    if (req.url === "/.well-known/openid-configuration") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ issuer: claimedIssuer ?? url, jwks_uri: `${url}/jwks`, revocation_endpoint: withRevocation ? `${url}/revoke` : undefined }));
      return;
    }
    let body = "";
    for await (const chunk of req) body += chunk;
    posts.push(Object.fromEntries(new URLSearchParams(body)));
    const status = statuses.shift() ?? 200;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(status === 200 ? "" : JSON.stringify({ error: status >= 500 ? "temporarily_unavailable" : "invalid_client" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    posts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("discover", () => {
  it("refuses a discovery document that names another issuer", async () => {
    const issuer = await scriptedIssuer([], true, "https://auth.openai.com");
    try {
      await assert.rejects(discover(issuer.url), (error: unknown) => {
        assert.ok(error instanceof ProviderError);
        assert.equal(error.code, "protocol_error");
        assert.match(error.message, /names issuer "https:\/\/auth\.openai\.com", expected/);
        return true;
      });
      assert.equal((await revokeCredential(issuer.url, credential, { clock: instantClock })).confirmed, false);
      assert.equal(issuer.posts.length, 0, "nothing is sent to endpoints of an untrusted document");
    } finally {
      await issuer.close();
    }
  });
});

describe("revokeCredential", () => {
  it("posts token, token_type_hint and the issued client id, retrying 5xx until confirmed", async () => {
    const issuer = await scriptedIssuer([503, 502]);
    try {
      assert.deepEqual(await revokeCredential(issuer.url, credential, { clock: instantClock }), { confirmed: true });
      assert.equal(issuer.posts.length, 3);
      assert.deepEqual(issuer.posts[0], { token: credential.refreshToken, token_type_hint: "refresh_token", client_id: credential.clientId });
    } finally {
      await issuer.close();
    }
  });

  it("gives up after bounded retries and reports the revocation as unconfirmed", async () => {
    const issuer = await scriptedIssuer([500, 500, 500, 500, 500, 500]);
    try {
      const outcome = await revokeCredential(issuer.url, credential, { clock: instantClock });
      assert.equal(outcome.confirmed, false);
      assert.equal(issuer.posts.length, 4);
    } finally {
      await issuer.close();
    }
  });

  it("does not retry a 4xx, and says why it is unconfirmed", async () => {
    const issuer = await scriptedIssuer([401]);
    try {
      const outcome = await revokeCredential(issuer.url, credential, { clock: instantClock });
      assert.deepEqual(outcome, { confirmed: false, reason: "the revocation endpoint answered HTTP 401 (invalid_client)" });
      assert.equal(issuer.posts.length, 1);
    } finally {
      await issuer.close();
    }
  });

  it("is unconfirmed when discovery names no revocation endpoint or the issuer is unreachable", async () => {
    const issuer = await scriptedIssuer([], false);
    try {
      const outcome = await revokeCredential(issuer.url, credential, { clock: instantClock });
      assert.deepEqual(outcome, { confirmed: false, reason: "the sign-in server publishes no revocation endpoint" });
    } finally {
      await issuer.close();
    }
    const gone = await scriptedIssuer([]);
    await gone.close();
    const unreachable = await revokeCredential(gone.url, credential, { clock: instantClock });
    assert.equal(unreachable.confirmed, false);
    assert.match((unreachable as { reason: string }).reason, /Could not reach/);
  });
});
