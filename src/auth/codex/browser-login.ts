// Browser sign-in with the Codex client (docs/protocol.md#codex-browser-login to
// docs/protocol.md#codex-code-exchange): PKCE + state, a loopback listener on 1455 then 1457 (never another
// port: the token endpoint refuses unregistered redirects), the authorize URL in Codex's parameter order, the
// code exchange, and the workspace restriction check.
import { ProviderError } from "../../errors.js";
import { ORIGINATOR } from "../../version.js";
import type { OAuthCredential } from "../credential.js";
import { startCallbackServer, type CallbackServer } from "../login/callback-server.js";
import { createPkce, randomToken } from "../login/pkce.js";
import { CODEX_CALLBACK_PATH, CODEX_CALLBACK_PORTS, CODEX_CLIENT_ID, CODEX_SCOPES, type CodexAuthEndpoints } from "./constants.js";
import { exchangeCode } from "./tokens.js";

export interface AuthorizeParams {
  redirectUri: string;
  challenge: string;
  state: string;
  /** Restrict the account picker to these workspaces (`allowed_workspace_id`, comma-joined). */
  workspaceIds?: string[];
}

/** The authorize URL with Codex's parameters in Codex's order (docs/protocol.md#codex-browser-login). */
export function codexAuthorizeUrl(endpoints: CodexAuthEndpoints, params: AuthorizeParams): string {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: CODEX_CLIENT_ID,
    redirect_uri: params.redirectUri,
    scope: CODEX_SCOPES,
    code_challenge: params.challenge,
    code_challenge_method: "S256",
    id_token_add_organizations: "true",
    codex_cli_simplified_flow: "true",
    state: params.state,
    originator: ORIGINATOR,
  });
  if (params.workspaceIds?.length) query.set("allowed_workspace_id", params.workspaceIds.join(","));
  // URLSearchParams writes spaces as "+"; the authorize endpoint is documented with %20.
  return `${endpoints.authorize}?${query.toString().replace(/\+/g, "%20")}`;
}

export interface BrowserLoginOptions {
  endpoints: CodexAuthEndpoints;
  /**
   * Show the authorize URL to the user (open a browser, print it), once the listener is
   * up on `port`. The URL carries only the PKCE challenge and the state, never a secret.
   * The library writes nothing itself.
   */
  present(url: string, port: number): Promise<void> | void;
  /** Ports to try in order; default 1455 then 1457. Only tests should pass others. */
  ports?: readonly number[];
  workspaceIds?: string[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

async function listen(options: BrowserLoginOptions, state: string): Promise<CallbackServer> {
  const ports = [...(options.ports ?? CODEX_CALLBACK_PORTS)];
  try {
    return await startCallbackServer({
      host: "127.0.0.1",
      ports,
      path: CODEX_CALLBACK_PATH,
      expectedState: state,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      appName: "codex-provider (chatgpt-codex)",
    });
  } catch (error) {
    if (!(error instanceof ProviderError) || error.code !== "login_failed") throw error;
    const first = ports[0];
    throw new ProviderError(
      "login_failed",
      `Cannot receive the sign-in redirect: port${ports.length > 1 ? "s" : ""} ${ports.join(" and ")} ${ports.length > 1 ? "are" : "is"} in use on 127.0.0.1. ` +
        "The Codex client only accepts these registered ports, so no other port is tried.",
      {
        cause: error,
        hint:
          `Free a port (another Codex or codex-provider sign-in may be waiting there; it is never stopped for you), ` +
          `or sign in with a device code: codex-provider login --provider chatgpt-codex --device. ` +
          `On a remote machine, forward the port from your computer: ssh -L ${first}:localhost:${first} user@remote`,
      },
    );
  }
}

/** Runs the browser flow to a credential; nothing is stored here. */
export async function browserLogin(options: BrowserLoginOptions): Promise<OAuthCredential> {
  const { endpoints } = options;
  const pkce = createPkce();
  const state = randomToken(32);
  const server = await listen(options, state);
  try {
    const redirectUri = `http://localhost:${server.port}${CODEX_CALLBACK_PATH}`;
    const url = codexAuthorizeUrl(endpoints, { redirectUri, challenge: pkce.challenge, state, workspaceIds: options.workspaceIds });
    await options.present(url, server.port);
    const { code } = await server.wait();
    const credential = await exchangeCode(endpoints, { code, verifier: pkce.verifier, redirectUri }, options.signal);
    checkWorkspace(credential, options.workspaceIds);
    return credential;
  } finally {
    await server.close();
  }
}

/**
 * docs/protocol.md#codex-browser-login: with a workspace restriction, a sign-in into any other workspace is
 * refused and nothing is stored.
 */
export function checkWorkspace(credential: OAuthCredential, workspaceIds: string[] | undefined): void {
  if (!workspaceIds?.length) return;
  if (credential.accountId && workspaceIds.includes(credential.accountId)) return;
  throw new ProviderError("login_failed", `Login is restricted to workspace id(s) ${workspaceIds.join(", ")}, but you signed in to ${credential.accountId ?? "an unknown workspace"}. Nothing was saved.`);
}
