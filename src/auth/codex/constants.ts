// The Codex CLI's OAuth client and where its endpoints live (docs/protocol.md#codex-oauth-client,
// docs/protocol.md#codex-device-code, docs/protocol.md#codex-access-tokens). Every URL derives from one base,
// CODEX_PROVIDER_AUTH_URL, so the whole login can point at the emulator.
import type { Env } from "../../config/paths.js";

/** The Codex CLI's public OAuth client (no secret). Its redirect allow-list is server-side. */
export const CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";

const DEFAULT_CODEX_AUTH_URL = "https://auth.openai.com";

/**
 * The four scopes Pi and every peer request. Current Codex adds the connector scopes;
 * we call no connectors, so we do not ask for them.
 */
export const CODEX_SCOPES = "openid profile email offline_access";

/**
 * The only loopback ports registered for the Codex client; any other fails at the token endpoint with 403
 * (docs/protocol.md#codex-callback-ports).
 */
export const CODEX_CALLBACK_PORTS: readonly number[] = [1455, 1457];
export const CODEX_CALLBACK_PATH = "/auth/callback";

/** Where Business/Enterprise users create Codex access tokens (docs/protocol.md#codex-access-tokens). */
export const ACCESS_TOKEN_ADMIN_URL = "https://chatgpt.com/admin/access-tokens";

export interface CodexAuthEndpoints {
  issuer: string;
  authorize: string;
  token: string;
  revoke: string;
  deviceUserCode: string;
  deviceToken: string;
  /** The page the user opens to type the device code. */
  deviceVerification: string;
  /** The redirect_uri of the device-code exchange; never visited (docs/protocol.md#codex-device-code step 5). */
  deviceRedirect: string;
  whoami: string;
}

export function codexAuthEndpoints(env: Env): CodexAuthEndpoints {
  const issuer = (env.CODEX_PROVIDER_AUTH_URL || DEFAULT_CODEX_AUTH_URL).replace(/\/+$/, "");
  return {
    issuer,
    authorize: `${issuer}/oauth/authorize`,
    token: `${issuer}/oauth/token`,
    revoke: `${issuer}/oauth/revoke`,
    deviceUserCode: `${issuer}/api/accounts/deviceauth/usercode`,
    deviceToken: `${issuer}/api/accounts/deviceauth/token`,
    deviceVerification: `${issuer}/codex/device`,
    deviceRedirect: `${issuer}/deviceauth/callback`,
    whoami: `${issuer}/api/accounts/v1/user-auth-credential/whoami`,
  };
}

/** The command that signs in again, for hints; names the profile when it is not the default. */
export function codexLoginCommand(profile: string, flags = ""): string {
  const profileFlag = profile === "default" ? "" : ` --profile ${profile}`;
  return `codex-provider login --provider chatgpt-codex${flags ? ` ${flags}` : ""}${profileFlag}`;
}
