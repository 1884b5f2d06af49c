// The Codex CLI's OAuth client (docs/protocol.md#codex-oauth-client to docs/protocol.md#codex-code-exchange,
// docs/protocol.md#codex-refresh to docs/protocol.md#codex-revocation): authorize, token (code + refresh)
// and revoke under /oauth/.
import type { ServerResponse } from "node:http";
import { CODEX_CLIENT_ID, type AuthContext, type Route } from "./context.js";
import { isValidChallenge, isValidVerifier, s256 } from "./crypto-util.js";
import {
  apiError,
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

const CODEX_SCOPES = ["openid", "profile", "email", "offline_access", "api.connectors.read", "api.connectors.invoke"];
const LOOPBACK_REDIRECT = /^http:\/\/localhost:([1-9]\d{0,4})\/auth\/callback$/;

type Problem = [error: string, description: string];

export function codexRoutes(ctx: AuthContext): Route[] {
  function authorizeProblem(q: Record<string, string>): Problem | undefined {
    if (q.response_type !== "code") return ["unsupported_response_type", "response_type must be code"];
    if (q.code_challenge_method !== "S256") return ["invalid_request", "PKCE with code_challenge_method=S256 is required"];
    if (!isValidChallenge(q.code_challenge)) return ["invalid_request", "code_challenge must be base64url(SHA-256(verifier))"];
    const scopes = (q.scope ?? "").split(" ").filter(Boolean);
    if (!scopes.includes("openid")) return ["invalid_scope", "scope must include openid"];
    const unknown = scopes.filter((s) => !CODEX_SCOPES.includes(s));
    if (unknown.length > 0) return ["invalid_scope", `unsupported scope: ${unknown.join(" ")}`];
    if (!q.state) return ["invalid_request", "state is required"];
    // The real server probably tolerates their absence, but docs/protocol.md#codex-browser-login makes these part of
    // looking like the Codex client, so a client that drops them should fail here.
    if (q.id_token_add_organizations !== "true") return ["invalid_request", "id_token_add_organizations=true is expected"];
    if (q.codex_cli_simplified_flow !== "true") return ["invalid_request", "codex_cli_simplified_flow=true is expected"];
    if (!q.originator) return ["invalid_request", "originator is required"];
    return undefined;
  }

  function authorize(res: ServerResponse, url: URL): void {
    ctx.stats.authorizeRequests++;
    const q = queryParams(url);
    if (q.client_id !== CODEX_CLIENT_ID) throw oauthError(400, "invalid_client", "unknown client_id");
    // docs/protocol.md#codex-callback-ports: any localhost port passes /authorize; only the token endpoint enforces the
    // registered ports. Anything not shaped like the loopback callback is refused here.
    const redirectUri = q.redirect_uri;
    if (!redirectUri || redirectPort(LOOPBACK_REDIRECT, redirectUri) === undefined) {
      throw oauthError(400, "invalid_request", "redirect_uri must be http://localhost:<port>/auth/callback");
    }
    const fail = (error: string, description: string) =>
      redirect(res, withQuery(redirectUri, { error, error_description: description, state: q.state }));
    const problem = authorizeProblem(q);
    if (problem) return fail(...problem);
    if (q.allowed_workspace_id !== undefined) {
      // The workspace picker offers only the listed workspaces; the user has one.
      // docs/protocol.md#codex-browser-login is silent on the server's answer: we redirect
      // with the text in docs/protocol.md#login-errors so the client stops.
      const allowed = q.allowed_workspace_id.split(",").map((id) => id.trim());
      if (!allowed.includes(ctx.user.accountId)) return fail("access_denied", "No eligible ChatGPT workspaces found.");
    }
    if (ctx.controls.authorize === "deny") return fail("access_denied", "The user declined to authorize Codex.");
    if (ctx.controls.authorize === "deny-missing-entitlement") return fail("access_denied", "missing_codex_entitlement");
    const code = ctx.grants.issueCode({
      provider: "codex",
      clientId: CODEX_CLIENT_ID,
      redirectUri,
      codeChallenge: q.code_challenge!,
      scopes: q.scope!.split(" ").filter(Boolean),
    });
    redirect(res, withQuery(redirectUri, { code, state: q.state }));
  }

  async function exchangeCode(res: ServerResponse, params: Record<string, string>): Promise<void> {
    // A code request with `state` is refused: docs/protocol.md#codex-code-exchange warns clients off sending it.
    if (params.state !== undefined) throw oauthError(400, "invalid_request", "unexpected parameter: state");
    const redirectUri = params.redirect_uri;
    const port = redirectPort(LOOPBACK_REDIRECT, redirectUri);
    if (port !== undefined && !ctx.settings.codexRedirectPorts.includes(port)) {
      // docs/protocol.md#codex-callback-ports: an unregistered port gets through /authorize but is refused
      // here with 403.
      throw oauthError(403, "unauthorized_client", "redirect_uri is not registered for this client");
    }
    if (!params.code) throw oauthError(400, "invalid_request", "code is required");
    const found = ctx.grants.takeCode(params.code);
    if (!found.ok) throw oauthError(400, "invalid_grant", `authorization code is ${found.reason}`);
    const grant = found.grant;
    if (grant.provider !== "codex") throw oauthError(400, "invalid_grant", "authorization code was issued to another client");
    if (redirectUri !== grant.redirectUri) {
      throw oauthError(400, "invalid_grant", "redirect_uri does not match the authorization request");
    }
    if (!isValidVerifier(params.code_verifier) || s256(params.code_verifier) !== grant.codeChallenge) {
      throw oauthError(400, "invalid_grant", "code_verifier does not match code_challenge");
    }
    const family = ctx.grants.createFamily("codex", CODEX_CLIENT_ID, grant.scopes);
    found.bind(family);
    const refreshToken = grant.scopes.includes("offline_access") ? ctx.grants.rotateRefreshToken(family) : undefined;
    sendJson(res, 200, await tokenResponse(ctx, family, { scopes: grant.scopes, refreshToken }));
  }

  async function refresh(res: ServerResponse, params: Record<string, string>): Promise<void> {
    if (!params.refresh_token) throw oauthError(400, "invalid_request", "refresh_token is required");
    const found = ctx.grants.findRefreshToken(params.refresh_token);
    if (!found.ok) {
      if (found.reason === "reused") ctx.stats.refreshReuseDetected++;
      const { code, message } = REFRESH_ERRORS[found.reason];
      // docs/protocol.md#refresh-failures: the reuse text was seen with 401 in the nested {"error":{…,"code"}} form;
      // an unknown token is the generic 400 invalid_grant in the flat OAuth form.
      throw found.reason === "unknown" ? oauthError(400, code, message) : apiError(401, code, message);
    }
    const family = found.family;
    if (family.provider !== "codex") throw oauthError(400, "invalid_grant", "refresh token was issued to another client");
    // A legacy `scope` parameter (docs/protocol.md#codex-refresh) is accepted and ignored: the grant stays as it was.
    const refreshToken = ctx.grants.rotateRefreshToken(family);
    sendJson(res, 200, await tokenResponse(ctx, family, { scopes: family.scopes, refreshToken }));
  }

  return [
    { method: "GET", path: "/oauth/authorize", handler: async (_req, res, url) => authorize(res, url) },
    {
      method: "POST",
      path: "/oauth/token",
      handler: async (req, res) => {
        // docs/protocol.md#codex-refresh: refresh arrives as JSON (Codex) or form (Pi, peers); the code
        // exchange is form only (docs/protocol.md#codex-code-exchange).
        const { params, encoding } = await readParams(req, ["form", "json"]);
        if (params.grant_type === "authorization_code") ctx.stats.tokenExchanges++;
        if (params.grant_type === "refresh_token") ctx.stats.refreshes++;
        const injected = injectedTokenFailure(ctx);
        if (injected) throw injected;
        if (params.client_id !== CODEX_CLIENT_ID) throw oauthError(401, "invalid_client", "unknown client_id");
        if (params.grant_type === "refresh_token") return refresh(res, params);
        if (params.grant_type === "authorization_code") {
          if (encoding !== "form") throw oauthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
          return exchangeCode(res, params);
        }
        throw oauthError(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
      },
    },
    {
      method: "POST",
      path: "/oauth/revoke",
      handler: async (req, res) => {
        ctx.stats.revocations++;
        // docs/protocol.md#codex-revocation documents JSON; form is accepted too, as at any RFC 7009 endpoint.
        const { params } = await readParams(req, ["json", "form"]);
        if (!params.token) throw oauthError(400, "invalid_request", "token is required");
        // `client_id` is only sent with refresh tokens (docs/protocol.md#codex-revocation); when present it
        // must be ours.
        if (params.client_id !== undefined && params.client_id !== CODEX_CLIENT_ID) {
          throw oauthError(401, "invalid_client", "unknown client_id");
        }
        revokePresentedToken(ctx, params.token, CODEX_CLIENT_ID);
        sendEmpty(res, 200);
      },
    },
  ];
}
