// The auth-server emulator over real loopback HTTP. These test the emulator itself.
import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { createAuthEmulator, type AuthEmulator, type AuthEmulatorOptions } from "#src/emulator/auth/index.js";

const CODEX_CLIENT = "app_EMoamEEZ73f0CkXaXp7hrann";
const SIWC_SCOPE = "openid profile email offline_access resource.invoke chatgpt.tokens.use.direct";
const API = "https://api.openai.com/v1";
const SIWC_REDIRECT = "http://127.0.0.1:53682/auth/callback";
const CODEX_REDIRECT = "http://localhost:1455/auth/callback";
const HOST_ID = `urn:uuid:${randomUUID()}`;

interface Harness {
  auth: AuthEmulator;
  base: string;
  issuer: string;
  close(): Promise<void>;
}

async function start(options: Partial<AuthEmulatorOptions> = {}): Promise<Harness> {
  let base = "";
  const auth = await createAuthEmulator({ issuer: () => `${base}/auth`, ...options });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", base);
    const routed = url.pathname.startsWith("/auth/") ? auth.handle(req, res, url.pathname.slice("/auth".length), url) : Promise.resolve(false);
    void routed.then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    auth,
    base,
    issuer: `${base}/auth`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(64).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: "manual", headers });
}

function postForm(url: string, params: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
}

function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** The query of a 302 answer. */
function location(res: Response): URLSearchParams {
  assert.equal(res.status, 302);
  return new URL(res.headers.get("location")!).searchParams;
}

// ---------- SIWC ----------

interface SiwcAttempt {
  params: Record<string, string>;
  verifier: string;
}

function siwcParams(overrides: Record<string, string | undefined> = {}): SiwcAttempt {
  const { verifier, challenge } = pkce();
  const params: Record<string, string> = {
    client_id: "dynamic_agent_client",
    agent_name_hint: "codex-provider tests",
    ext_agent_host_id: HOST_ID,
    response_type: "code",
    redirect_uri: SIWC_REDIRECT,
    scope: SIWC_SCOPE,
    resource: API,
    state: randomBytes(16).toString("hex"),
    nonce: randomBytes(16).toString("hex"),
    code_challenge_method: "S256",
    code_challenge: challenge,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  return { params, verifier };
}

function siwcAuthorize(h: Harness, attempt: SiwcAttempt): Promise<Response> {
  return get(`${h.issuer}/api/accounts/authorize?${new URLSearchParams(attempt.params)}`);
}

interface SiwcTokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  earliest_refresh_at: number;
}

async function siwcSignIn(h: Harness, clientId = "dynamic_agent_client") {
  const attempt = siwcParams({ client_id: clientId });
  const callback = location(await siwcAuthorize(h, attempt));
  const issuedId = callback.get("client_id") ?? clientId;
  const res = await postForm(`${h.issuer}/api/accounts/oauth/token`, {
    grant_type: "authorization_code",
    client_id: issuedId,
    code: callback.get("code")!,
    code_verifier: attempt.verifier,
    redirect_uri: SIWC_REDIRECT,
    resource: API,
  });
  assert.equal(res.status, 200);
  return { clientId: issuedId, callback, attempt, tokens: (await res.json()) as SiwcTokens };
}

function siwcRefresh(h: Harness, clientId: string, refreshToken: string): Promise<Response> {
  return postForm(`${h.issuer}/api/accounts/oauth/token`, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: refreshToken,
    resource: API,
  });
}

describe("SIWC", () => {
  let h: Harness;
  before(async () => (h = await start()));
  after(() => h.close());

  it("publishes discovery and a JWKS that verifies the ID token", async () => {
    const discovery = (await (await get(`${h.issuer}/.well-known/openid-configuration`)).json()) as Record<string, any>;
    assert.equal(discovery.issuer, h.issuer);
    assert.equal(discovery.authorization_endpoint, `${h.issuer}/api/accounts/authorize`);
    assert.equal(discovery.token_endpoint, `${h.issuer}/api/accounts/oauth/token`);
    assert.ok(discovery.revocation_endpoint.startsWith(h.issuer));
    assert.deepEqual(discovery.code_challenge_methods_supported, ["S256"]);
    assert.ok(discovery.scopes_supported.includes("chatgpt.tokens.use.direct"));

    const { clientId, attempt, tokens } = await siwcSignIn(h);
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, { issuer: h.issuer, audience: clientId });
    assert.equal(protectedHeader.alg, "RS256");
    assert.ok(protectedHeader.kid);
    assert.equal(payload.nonce, attempt.params.nonce);
    assert.equal(payload.sub, h.auth.user.subject);
    assert.equal(payload.email, h.auth.user.email);
  });

  it("registers a dynamic client, then signs in again without a client_id in the callback", async () => {
    const first = await siwcSignIn(h);
    assert.match(first.clientId, /^oaiapp_/);
    assert.equal(first.callback.get("state"), first.attempt.params.state);
    assert.equal(first.callback.get("scope"), SIWC_SCOPE);

    const again = await siwcSignIn(h, first.clientId);
    assert.equal(again.callback.get("client_id"), null);
    assert.equal(decodeJwt(again.tokens.id_token).aud, first.clientId);
  });

  it("answers the token fields of docs/protocol.md#siwc-refresh with a documented access token", async () => {
    const { clientId, tokens } = await siwcSignIn(h);
    assert.equal(tokens.token_type, "Bearer");
    assert.equal(tokens.expires_in, 3600);
    assert.equal(tokens.scope, SIWC_SCOPE);
    assert.equal(typeof tokens.earliest_refresh_at, "number");
    assert.match(tokens.refresh_token, /^oaiapp_rt_[A-Za-z0-9_-]{43}$/);
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, API);
    assert.equal(claims.client_id, clientId);
    assert.equal(claims.scope, SIWC_SCOPE);
    assert.ok(claims.jti && claims.nbf && claims.iat && claims.exp);
    const meta = claims["https://api.openai.com/auth"] as Record<string, unknown>;
    assert.equal(typeof meta.per_user_salt, "string");
    assert.equal(typeof meta.encrypted_auth_metadata, "string");
    const check = await h.auth.verifyAccessToken(tokens.access_token);
    assert.ok(check.ok);
    assert.equal(check.kind, "siwc");
    assert.equal(check.clientId, clientId);
    assert.ok(check.scopes.includes("chatgpt.tokens.use.direct"));
  });

  it("puts '-' and '_' in every token payload", async () => {
    const { tokens } = await siwcSignIn(h);
    for (const token of [tokens.access_token, tokens.id_token]) {
      const payload = token.split(".")[1]!;
      assert.match(payload, /-/);
      assert.match(payload, /_/);
    }
  });

  it("refuses redirect URIs other than 127.0.0.1:<port>/auth/callback without redirecting", async () => {
    for (const redirect_uri of [
      "http://localhost:53682/auth/callback",
      "http://127.0.0.1:53682/callback",
      "https://127.0.0.1:53682/auth/callback",
      "http://127.0.0.1/auth/callback",
    ]) {
      const res = await siwcAuthorize(h, siwcParams({ redirect_uri }));
      assert.equal(res.status, 400, redirect_uri);
      assert.equal(res.headers.get("location"), null);
      assert.equal(((await res.json()) as { error: string }).error, "invalid_request");
    }
    const unknown = await siwcAuthorize(h, siwcParams({ client_id: "oaiapp_neverIssued" }));
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as { error: string }).error, "invalid_client");
  });

  it("redirects other request errors with state", async () => {
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{ code_challenge_method: "plain" }, "invalid_request"],
      [{ code_challenge: undefined }, "invalid_request"],
      [{ ext_agent_host_id: undefined }, "invalid_request"],
      [{ ext_agent_host_id: "ada@example.com" }, "invalid_request"],
      [{ agent_name_hint: undefined }, "invalid_request"],
      [{ response_type: "token" }, "unsupported_response_type"],
      [{ scope: "openid bogus" }, "invalid_scope"],
      [{ resource: "https://example.com" }, "invalid_target"],
      [{ nonce: undefined }, "invalid_request"],
    ];
    for (const [overrides, error] of cases) {
      const attempt = siwcParams(overrides);
      const query = location(await siwcAuthorize(h, attempt));
      assert.equal(query.get("error"), error, JSON.stringify(overrides));
      assert.equal(query.get("state"), attempt.params.state);
      assert.equal(query.get("code"), null);
    }
  });

  it("redirects access_denied when the user declines", async () => {
    h.auth.controls.authorize = "deny";
    try {
      const attempt = siwcParams();
      const query = location(await siwcAuthorize(h, attempt));
      assert.equal(query.get("error"), "access_denied");
      assert.equal(query.get("state"), attempt.params.state);
    } finally {
      h.auth.controls.authorize = "approve";
    }
  });

  it("checks the code exchange and keeps codes single-use", async () => {
    const token = `${h.issuer}/api/accounts/oauth/token`;
    const attempt = siwcParams();
    const callback = location(await siwcAuthorize(h, attempt));
    const exchange = {
      grant_type: "authorization_code",
      client_id: callback.get("client_id")!,
      code: callback.get("code")!,
      code_verifier: attempt.verifier,
      redirect_uri: SIWC_REDIRECT,
      resource: API,
    };
    const json = await postJson(token, exchange);
    assert.equal(json.status, 400, "JSON bodies are refused");
    const dynamic = await postForm(token, { ...exchange, client_id: "dynamic_agent_client" });
    assert.equal(dynamic.status, 401);
    assert.equal(((await dynamic.json()) as { error: string }).error, "invalid_client");

    const first = await postForm(token, exchange);
    assert.equal(first.status, 200);
    const issued = (await first.json()) as SiwcTokens;
    const replay = await postForm(token, exchange);
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error: string }).error, "invalid_grant");
    // A replayed code revokes what it issued.
    assert.deepEqual(await h.auth.verifyAccessToken(issued.access_token), { ok: false, reason: "revoked" });

    for (const bad of [{ code_verifier: pkce().verifier }, { redirect_uri: "http://127.0.0.1:1/auth/callback" }]) {
      const again = siwcParams();
      const cb = location(await siwcAuthorize(h, again));
      const res = await postForm(token, {
        ...exchange,
        client_id: cb.get("client_id")!,
        code: cb.get("code")!,
        code_verifier: again.verifier,
        ...bad,
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, "invalid_grant");
    }
  });

  it("rotates refresh tokens and revokes the sign-in when a rotated one is reused", async () => {
    const { clientId, tokens } = await siwcSignIn(h);
    const reuseBefore = h.auth.stats.refreshReuseDetected;
    const first = await siwcRefresh(h, clientId, tokens.refresh_token);
    assert.equal(first.status, 200);
    const rotated = (await first.json()) as SiwcTokens;
    assert.notEqual(rotated.refresh_token, tokens.refresh_token);
    assert.ok(rotated.id_token && rotated.access_token && rotated.earliest_refresh_at);
    assert.equal(decodeJwt(rotated.id_token).nonce, undefined);
    assert.ok((await h.auth.verifyAccessToken(rotated.access_token)).ok);

    const wrongClient = await siwcRefresh(h, (await siwcSignIn(h)).clientId, rotated.refresh_token);
    assert.equal(((await wrongClient.json()) as { error: string }).error, "invalid_grant");

    const reuse = await siwcRefresh(h, clientId, tokens.refresh_token);
    assert.equal(reuse.status, 400);
    const body = (await reuse.json()) as { error: string; error_description: string };
    assert.equal(body.error, "refresh_token_reused");
    assert.match(body.error_description, /already been used/);
    assert.equal(h.auth.stats.refreshReuseDetected, reuseBefore + 1);

    assert.deepEqual(await h.auth.verifyAccessToken(rotated.access_token), { ok: false, reason: "revoked" });
    assert.deepEqual(await h.auth.verifyAccessToken(tokens.access_token), { ok: false, reason: "revoked" });
    const after = await siwcRefresh(h, clientId, rotated.refresh_token);
    assert.equal(((await after.json()) as { error: string }).error, "refresh_token_invalidated");
  });

  it("revokes the sign-in at the discovered revocation endpoint, answering empty 200s", async () => {
    const discovery = (await (await get(`${h.issuer}/.well-known/openid-configuration`)).json()) as { revocation_endpoint: string };
    const { clientId, tokens } = await siwcSignIn(h);
    const res = await postForm(discovery.revocation_endpoint, {
      token: tokens.refresh_token,
      token_type_hint: "refresh_token",
      client_id: clientId,
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "");
    assert.deepEqual(await h.auth.verifyAccessToken(tokens.access_token), { ok: false, reason: "revoked" });
    const refresh = await siwcRefresh(h, clientId, tokens.refresh_token);
    assert.equal(((await refresh.json()) as { error: string }).error, "refresh_token_invalidated");

    const unknown = await postForm(discovery.revocation_endpoint, { token: "oaiapp_rt_nonsense", client_id: clientId });
    assert.equal(unknown.status, 200);
  });

  it("grants overridden scopes once; the callback echoes the request, only the token response tells the grant", async () => {
    h.auth.controls.grantedScopes = ["openid", "profile", "email", "offline_access"];
    const limited = await siwcSignIn(h);
    assert.equal(limited.callback.get("scope"), SIWC_SCOPE);
    assert.equal(limited.tokens.scope, "openid profile email offline_access");
    const check = await h.auth.verifyAccessToken(limited.tokens.access_token);
    assert.ok(check.ok && !check.scopes.includes("chatgpt.tokens.use.direct"));
    assert.equal(h.auth.controls.grantedScopes, undefined);
    assert.equal((await siwcSignIn(h)).tokens.scope, SIWC_SCOPE);
    h.auth.controls.omitTokenScope = true;
    assert.equal((await siwcSignIn(h)).tokens.scope, undefined);
    assert.equal((await siwcSignIn(h)).tokens.scope, SIWC_SCOPE, "omitting scope applies once");
  });

  it("applies ID-token faults", async () => {
    const discovery = (await (await get(`${h.issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    try {
      for (const fault of ["bad-signature", "expired", "wrong-audience", "wrong-issuer"] as const) {
        h.auth.controls.idTokenFault = fault;
        const { clientId, tokens } = await siwcSignIn(h);
        await assert.rejects(jwtVerify(tokens.id_token, jwks, { issuer: h.issuer, audience: clientId }), Error, fault);
      }
      h.auth.controls.idTokenFault = "wrong-nonce";
      const { clientId, attempt, tokens } = await siwcSignIn(h);
      const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer: h.issuer, audience: clientId });
      assert.notEqual(payload.nonce, attempt.params.nonce);
    } finally {
      h.auth.controls.idTokenFault = null;
    }
  });

  it("fails the next token requests on demand, then recovers", async () => {
    const { clientId, tokens } = await siwcSignIn(h);
    h.auth.controls.failNextTokenRequests = { count: 2, status: 503, body: { error: "temporarily_unavailable" } };
    for (let i = 0; i < 2; i++) {
      const res = await siwcRefresh(h, clientId, tokens.refresh_token);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { error: "temporarily_unavailable" });
    }
    assert.equal(h.auth.controls.failNextTokenRequests, undefined);
    assert.equal((await siwcRefresh(h, clientId, tokens.refresh_token)).status, 200);
  });

  it("expires access tokens on demand while refresh keeps working", async () => {
    const { clientId, tokens } = await siwcSignIn(h);
    h.auth.expireAccessTokens();
    assert.deepEqual(await h.auth.verifyAccessToken(tokens.access_token), { ok: false, reason: "expired" });
    const refreshed = (await (await siwcRefresh(h, clientId, tokens.refresh_token)).json()) as SiwcTokens;
    assert.ok((await h.auth.verifyAccessToken(refreshed.access_token)).ok);
  });

  it("rejects garbage and foreign tokens", async () => {
    const other = await start();
    try {
      const { tokens } = await siwcSignIn(other);
      assert.deepEqual(await h.auth.verifyAccessToken(tokens.access_token), { ok: false, reason: "invalid" });
      assert.deepEqual(await other.auth.verifyAccessToken(tokens.id_token), { ok: false, reason: "invalid" });
      assert.deepEqual(await h.auth.verifyAccessToken("not-a-token"), { ok: false, reason: "invalid" });
    } finally {
      await other.close();
    }
  });
});

// ---------- Codex OAuth ----------

function codexParams(overrides: Record<string, string | undefined> = {}) {
  const { verifier, challenge } = pkce();
  const params: Record<string, string> = {
    response_type: "code",
    client_id: CODEX_CLIENT,
    redirect_uri: CODEX_REDIRECT,
    scope: "openid profile email offline_access",
    code_challenge: challenge,
    code_challenge_method: "S256",
    id_token_add_organizations: "true",
    codex_cli_simplified_flow: "true",
    state: randomBytes(32).toString("base64url"),
    originator: "codex-provider",
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  return { params, verifier };
}

interface CodexTokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
  expires_in: number;
  token_type: string;
  scope: string;
}

async function codexSignIn(h: Harness, overrides: Record<string, string | undefined> = {}) {
  const attempt = codexParams(overrides);
  const query = location(await get(`${h.issuer}/oauth/authorize?${new URLSearchParams(attempt.params)}`));
  assert.equal(query.get("state"), attempt.params.state);
  const res = await postForm(`${h.issuer}/oauth/token`, {
    grant_type: "authorization_code",
    code: query.get("code")!,
    redirect_uri: attempt.params.redirect_uri!,
    client_id: CODEX_CLIENT,
    code_verifier: attempt.verifier,
  });
  return { res, tokens: res.status === 200 ? ((await res.json()) as CodexTokens) : undefined };
}

describe("Codex OAuth", () => {
  let h: Harness;
  before(async () => (h = await start({ user: { planType: "pro" } })));
  after(() => h.close());

  it("signs in with PKCE and issues Codex-shaped tokens", async () => {
    const { res, tokens } = await codexSignIn(h);
    assert.equal(res.status, 200);
    assert.ok(tokens);
    assert.equal(tokens.expires_in, 864_000);
    assert.match(tokens.refresh_token, /^rt_[A-Za-z0-9_-]{43}$/);
    const id = decodeJwt(tokens.id_token);
    const idAuth = id["https://api.openai.com/auth"] as Record<string, unknown>;
    assert.equal(id.email, h.auth.user.email);
    assert.equal(idAuth.chatgpt_account_id, h.auth.user.accountId);
    assert.equal(idAuth.chatgpt_plan_type, "pro");
    assert.equal(idAuth.chatgpt_user_id, h.auth.user.userId);
    const access = decodeJwt(tokens.access_token);
    assert.equal((access["https://api.openai.com/auth"] as Record<string, unknown>).chatgpt_account_id, h.auth.user.accountId);
    assert.equal((access["https://api.openai.com/profile"] as Record<string, unknown>).email, h.auth.user.email);
    assert.equal(access.client_id, CODEX_CLIENT);
    const check = await h.auth.verifyAccessToken(tokens.access_token);
    assert.ok(check.ok);
    assert.equal(check.kind, "codex");
    assert.equal(check.planType, "pro");
    assert.ok(check.scopes.includes("offline_access"));
    for (const token of [tokens.access_token, tokens.id_token]) assert.match(token.split(".")[1]!, /^(?=.*-)(?=.*_)/);
  });

  it("refreshes with JSON and form bodies and detects reuse with a 401", async () => {
    const { tokens } = await codexSignIn(h);
    const json = await postJson(`${h.issuer}/oauth/token`, {
      client_id: CODEX_CLIENT,
      grant_type: "refresh_token",
      refresh_token: tokens!.refresh_token,
    });
    assert.equal(json.status, 200);
    const second = (await json.json()) as CodexTokens;
    const form = await postForm(`${h.issuer}/oauth/token`, {
      client_id: CODEX_CLIENT,
      grant_type: "refresh_token",
      refresh_token: second.refresh_token,
    });
    assert.equal(form.status, 200);
    const third = (await form.json()) as CodexTokens;
    assert.ok(third.id_token && third.access_token && third.expires_in && third.scope);

    const reuse = await postJson(`${h.issuer}/oauth/token`, {
      client_id: CODEX_CLIENT,
      grant_type: "refresh_token",
      refresh_token: second.refresh_token,
    });
    assert.equal(reuse.status, 401);
    const body = (await reuse.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "refresh_token_reused");
    assert.deepEqual(await h.auth.verifyAccessToken(third.access_token), { ok: false, reason: "revoked" });

    const unknown = await postJson(`${h.issuer}/oauth/token`, {
      client_id: CODEX_CLIENT,
      grant_type: "refresh_token",
      refresh_token: "rt_unknown",
    });
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as { error: string }).error, "invalid_grant");
  });

  it("lets exactly one of two racing refreshes win, then ends the sign-in", async () => {
    const { tokens } = await codexSignIn(h);
    const refresh = () =>
      postJson(`${h.issuer}/oauth/token`, { client_id: CODEX_CLIENT, grant_type: "refresh_token", refresh_token: tokens!.refresh_token });
    const answers = await Promise.all([refresh(), refresh()]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 401]);
    const winner = (await answers.find((r) => r.status === 200)!.json()) as CodexTokens;
    assert.deepEqual(await h.auth.verifyAccessToken(winner.access_token), { ok: false, reason: "revoked" });
  });

  it("passes any localhost port at /authorize but refuses unregistered ports at /token with 403", async () => {
    const { res } = await codexSignIn(h, { redirect_uri: "http://localhost:40123/auth/callback" });
    assert.equal(res.status, 403);
    assert.equal((await codexSignIn(h, { redirect_uri: "http://localhost:1457/auth/callback" })).res.status, 200);
    const ip = codexParams({ redirect_uri: "http://127.0.0.1:1455/auth/callback" });
    const refused = await get(`${h.issuer}/oauth/authorize?${new URLSearchParams(ip.params)}`);
    assert.equal(refused.status, 400);
    const otherClient = codexParams({ client_id: "app_other" });
    assert.equal((await get(`${h.issuer}/oauth/authorize?${new URLSearchParams(otherClient.params)}`)).status, 400);
  });

  it("honours configured redirect ports", async () => {
    const custom = await start({ codexRedirectPorts: [41455] });
    try {
      assert.equal((await codexSignIn(custom, { redirect_uri: "http://localhost:41455/auth/callback" })).res.status, 200);
      assert.equal((await codexSignIn(custom)).res.status, 403);
    } finally {
      await custom.close();
    }
  });

  it("expects the Codex authorize parameters", async () => {
    for (const missing of ["codex_cli_simplified_flow", "id_token_add_organizations", "originator", "code_challenge", "state"]) {
      const attempt = codexParams({ [missing]: undefined });
      const query = location(await get(`${h.issuer}/oauth/authorize?${new URLSearchParams(attempt.params)}`));
      assert.equal(query.get("error"), "invalid_request", missing);
    }
  });

  it("refuses a JSON code exchange and one carrying state", async () => {
    const attempt = codexParams();
    const query = location(await get(`${h.issuer}/oauth/authorize?${new URLSearchParams(attempt.params)}`));
    const exchange = {
      grant_type: "authorization_code",
      code: query.get("code")!,
      redirect_uri: CODEX_REDIRECT,
      client_id: CODEX_CLIENT,
      code_verifier: attempt.verifier,
    };
    assert.equal((await postJson(`${h.issuer}/oauth/token`, exchange)).status, 400);
    assert.equal((await postForm(`${h.issuer}/oauth/token`, { ...exchange, state: attempt.params.state! })).status, 400);
  });

  it("denies with missing_codex_entitlement and enforces allowed_workspace_id", async () => {
    h.auth.controls.authorize = "deny-missing-entitlement";
    try {
      const attempt = codexParams();
      const query = location(await get(`${h.issuer}/oauth/authorize?${new URLSearchParams(attempt.params)}`));
      assert.equal(query.get("error"), "access_denied");
      assert.equal(query.get("error_description"), "missing_codex_entitlement");
      assert.equal(query.get("state"), attempt.params.state);
    } finally {
      h.auth.controls.authorize = "approve";
    }
    const foreign = codexParams({ allowed_workspace_id: "ws-a,ws-b" });
    const denied = location(await get(`${h.issuer}/oauth/authorize?${new URLSearchParams(foreign.params)}`));
    assert.equal(denied.get("error"), "access_denied");
    const { res } = await codexSignIn(h, { allowed_workspace_id: `ws-a,${h.auth.user.accountId}` });
    assert.equal(res.status, 200);
  });

  it("revokes with JSON at /oauth/revoke", async () => {
    const { tokens } = await codexSignIn(h);
    const res = await postJson(`${h.issuer}/oauth/revoke`, {
      token: tokens!.refresh_token,
      token_type_hint: "refresh_token",
      client_id: CODEX_CLIENT,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await h.auth.verifyAccessToken(tokens!.access_token), { ok: false, reason: "revoked" });
    const refresh = await postJson(`${h.issuer}/oauth/token`, {
      client_id: CODEX_CLIENT,
      grant_type: "refresh_token",
      refresh_token: tokens!.refresh_token,
    });
    assert.equal(refresh.status, 401);
    assert.equal(((await refresh.json()) as { error: { code: string } }).error.code, "refresh_token_invalidated");
  });

  it("revokes everything with revokeAll", async () => {
    const { tokens } = await codexSignIn(h);
    const pat = h.auth.mintCodexAccessToken();
    h.auth.revokeAll();
    assert.deepEqual(await h.auth.verifyAccessToken(tokens!.access_token), { ok: false, reason: "revoked" });
    assert.deepEqual(await h.auth.verifyAccessToken(pat), { ok: false, reason: "revoked" });
  });
});

// ---------- Device code ----------

async function requestUserCode(h: Harness): Promise<{ device_auth_id: string; user_code: string; interval: string }> {
  const res = await postJson(`${h.issuer}/api/accounts/deviceauth/usercode`, { client_id: CODEX_CLIENT });
  assert.equal(res.status, 200);
  return (await res.json()) as { device_auth_id: string; user_code: string; interval: string };
}

function pollDevice(h: Harness, code: { device_auth_id: string; user_code: string }): Promise<Response> {
  return postJson(`${h.issuer}/api/accounts/deviceauth/token`, { device_auth_id: code.device_auth_id, user_code: code.user_code });
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe("device code", () => {
  let h: Harness;
  // The emulator's clock is moved by the test: intervals and expiry take no real time.
  let now = Date.now();
  before(async () => (h = await start({ devicePollIntervalSeconds: 1, deviceCodeTtlSeconds: 2, now: () => now })));
  after(() => h.close());

  it("answers 404 when disabled", async () => {
    const disabled = await start({ deviceCodeEnabled: false });
    try {
      const res = await postJson(`${disabled.issuer}/api/accounts/deviceauth/usercode`, { client_id: CODEX_CLIENT });
      assert.equal(res.status, 404);
    } finally {
      await disabled.close();
    }
  });

  it("goes pending → approved through the HTML page → tokens", async () => {
    const code = await requestUserCode(h);
    assert.equal(code.interval, "1");
    const pending = await pollDevice(h, code);
    assert.equal(pending.status, 403);
    assert.equal(await errorCode(pending), "deviceauth_authorization_pending");

    const page = await get(`${h.issuer}/codex/device`);
    assert.match(await page.text(), /<form method="post"/);
    const approve = await postForm(`${h.issuer}/codex/device`, { user_code: code.user_code.toLowerCase(), action: "approve" });
    assert.equal(approve.status, 200);

    now += 1000;
    const done = await pollDevice(h, code);
    assert.equal(done.status, 200);
    const grant = (await done.json()) as { authorization_code: string; code_challenge: string; code_verifier: string };
    assert.equal(createHash("sha256").update(grant.code_verifier).digest("base64url"), grant.code_challenge);

    const wrongRedirect = await postForm(`${h.issuer}/oauth/token`, {
      grant_type: "authorization_code",
      code: grant.authorization_code,
      redirect_uri: CODEX_REDIRECT,
      client_id: CODEX_CLIENT,
      code_verifier: grant.code_verifier,
    });
    assert.equal(wrongRedirect.status, 400);
    // That attempt consumed the code; approve a fresh one for the real exchange.
    const fresh = await requestUserCode(h);
    assert.ok(h.auth.resolveDeviceCode(fresh.user_code, "approve"));
    const freshGrant = (await (await pollDevice(h, fresh)).json()) as typeof grant;
    const exchange = await postForm(`${h.issuer}/oauth/token`, {
      grant_type: "authorization_code",
      code: freshGrant.authorization_code,
      redirect_uri: `${h.issuer}/deviceauth/callback`,
      client_id: CODEX_CLIENT,
      code_verifier: freshGrant.code_verifier,
    });
    assert.equal(exchange.status, 200);
    const tokens = (await exchange.json()) as CodexTokens;
    assert.ok((await h.auth.verifyAccessToken(tokens.access_token)).ok);
  });

  it("answers slow_down to polls faster than the interval", async () => {
    const code = await requestUserCode(h);
    assert.equal(await errorCode(await pollDevice(h, code)), "deviceauth_authorization_pending");
    const fast = await pollDevice(h, code);
    assert.equal(fast.status, 403);
    assert.equal(await errorCode(fast), "slow_down");
  });

  it("reports denial and expiry with a status clients do not treat as pending", async () => {
    const denied = await requestUserCode(h);
    assert.ok(h.auth.resolveDeviceCode(denied.user_code, "deny"));
    const res = await pollDevice(h, denied);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), "access_denied");

    const expiring = await requestUserCode(h);
    now += 2100;
    const expired = await pollDevice(h, expiring);
    assert.equal(expired.status, 400);
    assert.equal(await errorCode(expired), "expired_token");
    assert.equal(h.auth.resolveDeviceCode(expiring.user_code, "approve"), false);
  });
});

// ---------- Codex access tokens, whoami, routing ----------

describe("Codex access tokens", () => {
  let h: Harness;
  before(async () => (h = await start({ user: { planType: "enterprise" } })));
  after(() => h.close());

  const whoami = (h: Harness, token: string) =>
    get(`${h.issuer}/api/accounts/v1/user-auth-credential/whoami`, { authorization: `Bearer ${token}` });

  it("answers whoami for a live at- token", async () => {
    const token = h.auth.mintCodexAccessToken({ fedramp: true });
    assert.match(token, /^at-[A-Za-z0-9_-]{40,}$/);
    const res = await whoami(h, token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      email: h.auth.user.email,
      chatgpt_user_id: h.auth.user.userId,
      chatgpt_account_id: h.auth.user.accountId,
      chatgpt_plan_type: "enterprise",
      chatgpt_account_is_fedramp: true,
    });
    const check = await h.auth.verifyAccessToken(token);
    assert.ok(check.ok);
    assert.equal(check.kind, "access-token");
    assert.equal(check.fedramp, true);
  });

  it("answers 401 for expired and unknown tokens", async () => {
    const expired = await whoami(h, h.auth.mintCodexAccessToken({ expiresInSeconds: -1 }));
    assert.equal(expired.status, 401);
    assert.equal(await errorCode(expired), "token_expired");
    assert.equal((await whoami(h, "at-unknown0000000000000")).status, 401);
    assert.equal((await get(`${h.issuer}/api/accounts/v1/user-auth-credential/whoami`)).status, 401);
  });

  it("routes only its own paths and answers 405 to wrong methods", async () => {
    assert.equal((await get(`${h.issuer}/oauth/token`)).status, 405);
    assert.equal((await get(`${h.issuer}/nowhere`)).status, 404);
    const stats = h.auth.stats;
    assert.equal(typeof stats.authorizeRequests, "number");
  });
});
