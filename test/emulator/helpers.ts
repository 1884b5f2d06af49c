// Shared test helpers: tokens obtained the way a client would (the OAuth flows of
// docs/protocol.md#siwc-authorize, docs/protocol.md#siwc-callback, docs/protocol.md#codex-browser-login and
// docs/protocol.md#codex-code-exchange against the mounted auth half), and a small SSE
// reader that follows the standard's line rules so framing faults can be checked.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Emulator } from "#src/emulator/index.js";

const CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
const SIWC_SCOPES = "openid profile email offline_access resource.invoke chatgpt.tokens.use.direct";

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

async function form(url: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`token endpoint ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * A SIWC access token via dynamic registration + PKCE (docs/protocol.md#siwc-registration to
 * docs/protocol.md#siwc-callback).
 */
export async function siwcToken(emu: Emulator, scope = SIWC_SCOPES): Promise<string> {
  const discovery = (await (await fetch(`${emu.authUrl}/.well-known/openid-configuration`)).json()) as Record<string, string>;
  const { verifier, challenge } = pkce();
  const redirectUri = "http://127.0.0.1:9/auth/callback";
  const query = new URLSearchParams({
    client_id: "dynamic_agent_client",
    agent_name_hint: "emulator-tests",
    ext_agent_host_id: `urn:uuid:${randomUUID()}`,
    response_type: "code",
    redirect_uri: redirectUri,
    scope,
    resource: "https://api.openai.com/v1",
    state: randomBytes(8).toString("hex"),
    nonce: randomBytes(8).toString("hex"),
    code_challenge_method: "S256",
    code_challenge: challenge,
  });
  const authorize = await fetch(`${discovery.authorization_endpoint}?${query}`, { redirect: "manual" });
  const callback = new URL(authorize.headers.get("location") ?? "");
  const tokens = await form(discovery.token_endpoint, {
    grant_type: "authorization_code",
    client_id: callback.searchParams.get("client_id") ?? "",
    code: callback.searchParams.get("code") ?? "",
    code_verifier: verifier,
    redirect_uri: redirectUri,
    resource: "https://api.openai.com/v1",
  });
  return tokens.access_token as string;
}

/**
 * A Codex-client access token via browser PKCE login (docs/protocol.md#codex-browser-login,
 * docs/protocol.md#codex-code-exchange).
 */
export async function codexToken(emu: Emulator): Promise<string> {
  const { verifier, challenge } = pkce();
  const redirectUri = "http://localhost:1455/auth/callback";
  const query = new URLSearchParams({
    response_type: "code",
    client_id: CODEX_CLIENT_ID,
    redirect_uri: redirectUri,
    scope: "openid profile email offline_access",
    code_challenge: challenge,
    code_challenge_method: "S256",
    id_token_add_organizations: "true",
    codex_cli_simplified_flow: "true",
    state: randomBytes(8).toString("hex"),
    originator: "codex-provider",
  });
  const authorize = await fetch(`${emu.authUrl}/oauth/authorize?${query}`, { redirect: "manual" });
  const callback = new URL(authorize.headers.get("location") ?? "");
  const tokens = await form(`${emu.authUrl}/oauth/token`, {
    grant_type: "authorization_code",
    code: callback.searchParams.get("code") ?? "",
    redirect_uri: redirectUri,
    client_id: CODEX_CLIENT_ID,
    code_verifier: verifier,
  });
  return tokens.access_token as string;
}

export function post(url: string, credential: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(credential ? { authorization: `Bearer ${credential}` } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

