// The exact requests sent to the Codex token and revoke endpoints (docs/protocol.md#codex-code-exchange,
// docs/protocol.md#codex-refresh, docs/protocol.md#codex-revocation), captured by a local server: the
// emulator checks them but does not record auth-server bodies.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { codexAuthEndpoints } from "#src/auth/codex/constants.js";
import { exchangeCode, refreshCodexTokens, revokeCodexToken } from "#src/auth/codex/tokens.js";
import { refreshError } from "#src/auth/oauth/token-client.js";
import type { OAuthCredential } from "#src/auth/credential.js";
import { ProviderError } from "#src/errors.js";
import { unsignedJwt } from "../../support/jwt.js";

interface Captured {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A token server that records each request and answers with `reply`. */
async function withTokenServer(reply: { status: number; body: unknown }, fn: (auth: string, captured: Captured[]) => Promise<void>): Promise<void> {
  const captured: Captured[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    captured.push({ path: req.url ?? "", headers: req.headers, body });
    res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, captured);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const AUTH = "https://api.openai.com/auth";
const stored: OAuthCredential = {
  type: "oauth",
  accessToken: "old-access-token-value",
  refreshToken: "rt_old-refresh-token-value",
  idToken: unsignedJwt({ email: "a@example.com", [AUTH]: { chatgpt_account_id: "acc-1" } }),
  clientId: "app_EMoamEEZ73f0CkXaXp7hrann",
  lastRefresh: "2026-01-01T00:00:00Z",
  accountId: "acc-1",
};

test("refresh: Codex's JSON RefreshRequest (client_id, grant_type, refresh_token only: no refresh_reason, no scope); a missing refresh_token keeps the old one", async () => {
  const access = unsignedJwt({ exp: 2_000_000_000, [AUTH]: { chatgpt_account_id: "acc-1", chatgpt_plan_type: "pro" } });
  await withTokenServer({ status: 200, body: { access_token: access, expires_in: 3600, token_type: "Bearer" } }, async (base, captured) => {
    const patch = await refreshCodexTokens(codexAuthEndpoints({ CODEX_PROVIDER_AUTH_URL: base }), stored, "login");
    const [request] = captured;
    assert.equal(request.path, "/oauth/token");
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.headers.originator, "codex-provider");
    assert.match(String(request.headers["user-agent"]), /^codex-provider\//);
    assert.deepEqual(JSON.parse(request.body), {
      client_id: "app_EMoamEEZ73f0CkXaXp7hrann",
      grant_type: "refresh_token",
      refresh_token: stored.refreshToken,
    });
    assert.equal(patch.accessToken, access);
    assert.equal(patch.refreshToken, undefined, "not replaced: the old refresh token stays");
    assert.equal(patch.idToken, stored.idToken, "the old ID token stays");
    assert.equal(patch.planType, "pro");
    assert.equal(patch.expiresAt, 2_000_000_000_000);
  });
});

test("refresh errors follow docs/protocol.md#refresh-failures: reused is terminal, 5xx is transient", async () => {
  await withTokenServer({ status: 401, body: { error: { code: "refresh_token_reused", message: "already used" } } }, async (base) => {
    await assert.rejects(refreshCodexTokens(codexAuthEndpoints({ CODEX_PROVIDER_AUTH_URL: base }), stored, "codex-provider login --provider chatgpt-codex"), (error: ProviderError) => {
      assert.equal(error.code, "refresh_token_reused");
      assert.match(error.hint!, /login --provider chatgpt-codex/);
      return true;
    });
  });
  await withTokenServer({ status: 502, body: {} }, async (base) => {
    await assert.rejects(refreshCodexTokens(codexAuthEndpoints({ CODEX_PROVIDER_AUTH_URL: base }), stored, "x"), (error: ProviderError) => error.retryable);
  });
});

test("refresh failures: only 401 and the documented codes are terminal; a Cloudflare page, a 5xx or an unknown 400 is transient", () => {
  const response = (status: number, body: unknown) => ({
    status,
    json: typeof body === "object" ? (body as Record<string, unknown>) : undefined,
    text: typeof body === "string" ? body : JSON.stringify(body),
    headers: {},
  });
  const terminal: Array<[number, unknown]> = [
    [401, {}],
    [401, { error: { code: "refresh_token_expired" } }],
    [400, { error: "invalid_grant", error_description: "Invalid refresh token." }],
    [400, { error: "refresh_token_invalidated" }],
    [400, { error: "invalid_refresh_token" }],
    [400, { error: "token_expired" }],
    [401, { error: "invalid_client" }],
  ];
  for (const [status, body] of terminal) {
    const error = refreshError(response(status, body), "login");
    assert.ok(["login_required", "refresh_token_reused"].includes(error.code), `${status} ${JSON.stringify(body)} is terminal`);
    assert.equal(error.retryable, false);
  }
  const transient: Array<[number, unknown]> = [
    [403, "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Cloudflare Ray ID: 8f1</body></html>"],
    [503, { error: "temporarily_unavailable" }],
    [400, { error: "invalid_request", error_description: "something odd" }],
    [400, {}],
    [429, { error: { code: "rate_limit_exceeded" } }],
  ];
  for (const [status, body] of transient) {
    const error = refreshError(response(status, body), "login");
    assert.equal(error.code, "network_error", `${status} ${JSON.stringify(body)} is transient`);
    assert.equal(error.retryable, true);
    assert.doesNotMatch(error.message, /<html|Cloudflare Ray/i, "no page content in the message");
  }
});

test("code exchange: form-encoded, no state, all three tokens required; error text prefers error_description", async () => {
  await withTokenServer({ status: 200, body: { access_token: "a-token-value", id_token: stored.idToken } }, async (base, captured) => {
    const endpoints = codexAuthEndpoints({ CODEX_PROVIDER_AUTH_URL: base });
    await assert.rejects(exchangeCode(endpoints, { code: "ac_1", verifier: "v".repeat(43), redirectUri: "http://localhost:1455/auth/callback" }), /without refresh_token/);
    assert.equal(captured[0].headers["content-type"], "application/x-www-form-urlencoded");
    const form = Object.fromEntries(new URLSearchParams(captured[0].body));
    assert.deepEqual(form, {
      grant_type: "authorization_code",
      code: "ac_1",
      redirect_uri: "http://localhost:1455/auth/callback",
      client_id: "app_EMoamEEZ73f0CkXaXp7hrann",
      code_verifier: "v".repeat(43),
    });
  });
  await withTokenServer({ status: 400, body: { error: "invalid_grant", error_description: "Your authorization session was not initialized or has expired" } }, async (base) => {
    await assert.rejects(
      exchangeCode(codexAuthEndpoints({ CODEX_PROVIDER_AUTH_URL: base }), { code: "c", verifier: "v", redirectUri: "r" }),
      (error: ProviderError) => error.code === "login_failed" && /session was not initialized or has expired/.test(error.message),
    );
  });
});

test("revoke: the refresh token with its hint and the client id, as JSON; failures are swallowed", async () => {
  await withTokenServer({ status: 200, body: {} }, async (base, captured) => {
    assert.equal(await revokeCodexToken(codexAuthEndpoints({ CODEX_PROVIDER_AUTH_URL: base }), stored), true);
    assert.equal(captured[0].path, "/oauth/revoke");
    assert.deepEqual(JSON.parse(captured[0].body), { token: stored.refreshToken, token_type_hint: "refresh_token", client_id: "app_EMoamEEZ73f0CkXaXp7hrann" });
  });
  assert.equal(await revokeCodexToken(codexAuthEndpoints({ CODEX_PROVIDER_AUTH_URL: "http://127.0.0.1:9" }), stored), false);
});
