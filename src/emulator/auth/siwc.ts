// Sign in with ChatGPT (docs/protocol.md#sign-in-with-chatgpt): discovery, JWKS, authorize with dynamic
// client registration, token (code + refresh) and revocation.
import type { ServerResponse } from "node:http";
import { API_AUDIENCE, type AuthContext, type Route } from "./context.js";
import { isValidChallenge, isValidVerifier, randomFrom, s256 } from "./crypto-util.js";
import {
  oauthError,
  queryParams,
  readParams,
  redirect,
  redirectPort,
  sendEmpty,
  sendJson,
  withQuery,
} from "./http-util.js";
import { injectedTokenFailure, REFRESH_ERRORS, revokePresentedToken, tokenResponse } from "./tokens.js";

const SIWC_SCOPES = ["openid", "profile", "email", "offline_access", "resource.invoke", "chatgpt.tokens.use.direct"];
const DYNAMIC_CLIENT = "dynamic_agent_client";
// docs/protocol.md#siwc-authorize: only the port may vary; `localhost` and other paths are refused.
const REDIRECT_URI = /^http:\/\/127\.0\.0\.1:([1-9]\d{0,4})\/auth\/callback$/;
// docs/protocol.md#siwc-registration host-id formats: JWK thumbprint URI (RFC 9278), UUID v4 URN, did:key.
const HOST_ID =
  /^(?:urn:ietf:params:oauth:jwk-thumbprint:[a-z0-9-]+:[A-Za-z0-9_-]{22,}|urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|did:key:z[1-9A-HJ-NP-Za-km-z]{20,})$/i;
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// docs/protocol.md#siwc-discovery leaves the literal revocation and JWKS URLs unconfirmed and tells clients to read
// discovery. The revocation path is deliberately not the guessed `/oauth/revoke`, so a
// client that hard-codes the guess fails against the emulator.
const PATHS = {
  discovery: "/.well-known/openid-configuration",
  jwks: "/.well-known/jwks.json",
  authorize: "/api/accounts/authorize",
  token: "/api/accounts/oauth/token",
  revocation: "/api/accounts/oauth/revocation",
};

type Problem = [error: string, description: string];

export function siwcRoutes(ctx: AuthContext): Route[] {
  // Issued `oaiapp_…` ids, all bound to the one emulated user. Revocation keeps them (docs/protocol.md#siwc-sign-out).
  const clients = new Set<string>();

  function discovery(res: ServerResponse): void {
    const issuer = ctx.issuer();
    sendJson(res, 200, {
      issuer,
      authorization_endpoint: issuer + PATHS.authorize,
      token_endpoint: issuer + PATHS.token,
      revocation_endpoint: issuer + PATHS.revocation,
      jwks_uri: issuer + PATHS.jwks,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: SIWC_SCOPES,
      claims_supported: ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "name"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["none"],
      revocation_endpoint_auth_methods_supported: ["none"],
    });
  }

  /** Errors reported by redirect once client and redirect URI are known good (RFC 6749 §4.1.2.1). */
  function authorizeProblem(q: Record<string, string>, isNew: boolean): Problem | undefined {
    if (q.response_type !== "code") return ["unsupported_response_type", "response_type must be code"];
    if (q.code_challenge_method !== "S256") return ["invalid_request", "PKCE with code_challenge_method=S256 is required"];
    if (!isValidChallenge(q.code_challenge)) return ["invalid_request", "code_challenge must be base64url(SHA-256(verifier))"];
    if (isNew && !q.agent_name_hint) return ["invalid_request", "agent_name_hint is required with dynamic_agent_client"];
    if (!q.ext_agent_host_id || !HOST_ID.test(q.ext_agent_host_id)) {
      return ["invalid_request", "ext_agent_host_id must be a JWK thumbprint URI, urn:uuid:<v4> or did:key"];
    }
    const scopes = (q.scope ?? "").split(" ").filter(Boolean);
    if (!scopes.includes("openid")) return ["invalid_scope", "scope must include openid"];
    const unknown = scopes.filter((s) => !SIWC_SCOPES.includes(s));
    if (unknown.length > 0) return ["invalid_scope", `unsupported scope: ${unknown.join(" ")}`];
    // RFC 8707 makes `resource` optional; docs/protocol.md#siwc-authorize has clients always send it, so we require it.
    if (q.resource !== API_AUDIENCE) return ["invalid_target", `resource must be ${API_AUDIENCE}`];
    // The doc has clients send a fresh state and nonce on every attempt; we insist.
    if (!q.state) return ["invalid_request", "state is required"];
    if (!q.nonce) return ["invalid_request", "nonce is required"];
    return undefined;
  }

  function authorize(res: ServerResponse, url: URL): void {
    ctx.stats.authorizeRequests++;
    const q = queryParams(url);
    const clientId = q.client_id;
    const isNew = clientId === DYNAMIC_CLIENT;
    // Unknown client or bad redirect URI: answered here, never redirected (RFC 6749 §4.1.2.1).
    if (!clientId) throw oauthError(400, "invalid_request", "client_id is required");
    if (!isNew && !clients.has(clientId)) throw oauthError(400, "invalid_client", "unknown client_id");
    const redirectUri = q.redirect_uri;
    if (!redirectUri || redirectPort(REDIRECT_URI, redirectUri) === undefined) {
      throw oauthError(400, "invalid_request", "redirect_uri must be http://127.0.0.1:<port>/auth/callback");
    }
    const fail = (error: string, description: string) =>
      redirect(res, withQuery(redirectUri, { error, error_description: description, state: q.state }));
    const problem = authorizeProblem(q, isNew);
    if (problem) return fail(...problem);
    // SIWC has no entitlement-specific denial in the doc; both deny modes are a refusal.
    if (ctx.controls.authorize !== "approve") return fail("access_denied", "The user declined to authorize the app.");

    const requested = q.scope!.split(" ").filter(Boolean);
    const granted = ctx.controls.grantedScopes ?? requested;
    ctx.controls.grantedScopes = undefined;
    const issuedId = isNew ? `oaiapp_${randomFrom(ALNUM, 24)}` : clientId;
    clients.add(issuedId);
    const code = ctx.grants.issueCode({
      provider: "siwc",
      clientId: issuedId,
      redirectUri,
      codeChallenge: q.code_challenge!,
      scopes: granted,
      resource: q.resource,
      nonce: q.nonce,
    });
    // A returning sign-in gets no `client_id`: docs/protocol.md#siwc-callback only promises it on registration.
    // The callback's `scope` echoes the request, as the sign-in guide's example callback
    // does; what was granted is only in the token response, which the guide makes the
    // sole source of plan permission (docs/protocol.md#siwc-callback).
    redirect(
      res,
      withQuery(redirectUri, { code, state: q.state, client_id: isNew ? issuedId : undefined, scope: requested.join(" ") }),
    );
  }

  async function exchangeCode(res: ServerResponse, params: Record<string, string>, clientId: string): Promise<void> {
    if (!params.code) throw oauthError(400, "invalid_request", "code is required");
    const found = ctx.grants.takeCode(params.code);
    if (!found.ok) throw oauthError(400, "invalid_grant", `authorization code is ${found.reason}`);
    const grant = found.grant;
    if (grant.provider !== "siwc" || grant.clientId !== clientId) {
      throw oauthError(400, "invalid_grant", "authorization code was issued to another client");
    }
    if (params.redirect_uri !== grant.redirectUri) {
      throw oauthError(400, "invalid_grant", "redirect_uri does not match the authorization request");
    }
    if (params.resource !== grant.resource) throw oauthError(400, "invalid_target", `resource must be ${grant.resource}`);
    if (!isValidVerifier(params.code_verifier) || s256(params.code_verifier) !== grant.codeChallenge) {
      throw oauthError(400, "invalid_grant", "code_verifier does not match code_challenge");
    }
    const family = ctx.grants.createFamily("siwc", clientId, grant.scopes);
    found.bind(family);
    const refreshToken = grant.scopes.includes("offline_access") ? ctx.grants.rotateRefreshToken(family) : undefined;
    sendJson(res, 200, await tokenResponse(ctx, family, { scopes: grant.scopes, refreshToken, nonce: grant.nonce }));
  }

  async function refresh(res: ServerResponse, params: Record<string, string>, clientId: string): Promise<void> {
    if (!params.refresh_token) throw oauthError(400, "invalid_request", "refresh_token is required");
    if (params.resource !== API_AUDIENCE) throw oauthError(400, "invalid_target", `resource must be ${API_AUDIENCE}`);
    const found = ctx.grants.findRefreshToken(params.refresh_token);
    if (!found.ok) {
      if (found.reason === "reused") ctx.stats.refreshReuseDetected++;
      // OAuth-style flat body (RFC 6749 §5.2); the Codex endpoint uses the nested form.
      const { code, message } = REFRESH_ERRORS[found.reason];
      throw oauthError(400, code, message);
    }
    const family = found.family;
    if (family.provider !== "siwc" || family.clientId !== clientId) {
      throw oauthError(400, "invalid_grant", "refresh token was issued to another client");
    }
    // Omitting scope keeps the grant; a narrower scope applies to this access token only (RFC 6749 §6).
    const scopes = params.scope === undefined ? family.scopes : params.scope.split(" ").filter(Boolean);
    if (scopes.some((s) => !family.scopes.includes(s))) throw oauthError(400, "invalid_scope", "scope exceeds the grant");
    const refreshToken = ctx.grants.rotateRefreshToken(family);
    sendJson(res, 200, await tokenResponse(ctx, family, { scopes, refreshToken }));
  }

  function requireClient(clientId: string | undefined): string {
    if (clientId && clients.has(clientId)) return clientId;
    const hint = clientId === DYNAMIC_CLIENT ? "use the issued client_id, not dynamic_agent_client" : "unknown client_id";
    throw oauthError(401, "invalid_client", hint);
  }

  return [
    { method: "GET", path: PATHS.discovery, handler: async (_req, res) => discovery(res) },
    { method: "GET", path: PATHS.jwks, handler: async (_req, res) => sendJson(res, 200, ctx.keys.jwks()) },
    { method: "GET", path: PATHS.authorize, handler: async (_req, res, url) => authorize(res, url) },
    {
      method: "POST",
      path: PATHS.token,
      handler: async (req, res) => {
        // docs/protocol.md#siwc-callback and docs/protocol.md#siwc-refresh: form-encoded only.
        const { params } = await readParams(req, ["form"]);
        if (params.grant_type === "authorization_code") ctx.stats.tokenExchanges++;
        if (params.grant_type === "refresh_token") ctx.stats.refreshes++;
        const injected = injectedTokenFailure(ctx);
        if (injected) throw injected;
        const clientId = requireClient(params.client_id);
        if (params.grant_type === "authorization_code") return exchangeCode(res, params, clientId);
        if (params.grant_type === "refresh_token") return refresh(res, params, clientId);
        throw oauthError(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
      },
    },
    {
      method: "POST",
      path: PATHS.revocation,
      handler: async (req, res) => {
        ctx.stats.revocations++;
        const { params } = await readParams(req, ["form"]);
        if (!params.token) throw oauthError(400, "invalid_request", "token is required");
        revokePresentedToken(ctx, params.token, requireClient(params.client_id));
        // RFC 7009 §2.2: 200 with an empty body, also for unknown or foreign tokens.
        sendEmpty(res, 200);
      },
    },
  ];
}
