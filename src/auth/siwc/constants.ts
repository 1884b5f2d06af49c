// Sign in with ChatGPT constants (docs/protocol.md#siwc-discovery to docs/protocol.md#siwc-authorize).
// Authorize and token URLs are documented literally; everything else comes from the issuer's discovery
// document.
import type { Env } from "../../config/paths.js";

/** Key of the credential in a profile file. */
export const PROVIDER_ID = "chatgpt";
const SIWC_DEFAULT_AUTH_URL = "https://auth.openai.com";
/** The scope without which a sign-in may not spend ChatGPT plan usage. */
export const PLAN_SCOPE = "chatgpt.tokens.use.direct";
export const SIWC_SCOPES = ["openid", "profile", "email", "offline_access", "resource.invoke", PLAN_SCOPE];
/** RFC 8707 resource indicator, sent on authorize, exchange and refresh. */
export const SIWC_RESOURCE = "https://api.openai.com/v1";
/** First sign-in only; the callback then returns the issued `oaiapp_…` id. */
export const DYNAMIC_CLIENT_ID = "dynamic_agent_client";
export const APP_NAME = "codex-provider";
const CALLBACK_PATH = "/auth/callback";
export const DEFAULT_CALLBACK_PORT = 1455;

/** The issuer base URL; also the expected `iss`. */
export function siwcIssuer(env: Env): string {
  return (env.CODEX_PROVIDER_AUTH_URL || SIWC_DEFAULT_AUTH_URL).replace(/\/+$/, "");
}

export function authorizeEndpoint(issuer: string): string {
  return `${issuer}/api/accounts/authorize`;
}

export function tokenEndpoint(issuer: string): string {
  return `${issuer}/api/accounts/oauth/token`;
}

/** docs/protocol.md#siwc-authorize: "Do not substitute with localhost"; only the port varies. */
export function redirectUri(port: number): string {
  return `http://127.0.0.1:${port}${CALLBACK_PATH}`;
}

/** The exact command that signs this profile in again (shown in errors). */
export function loginCommand(profile: string): string {
  return `codex-provider login --provider chatgpt${profile === "default" ? "" : ` --profile ${profile}`}`;
}

/** How to turn plan usage on after the plan scope was declined (docs/protocol.md#siwc-callback). */
export function enablePlanUsageHint(profile: string): string {
  return `To enable plan usage, sign in again and allow ChatGPT plan usage on the consent page: ${loginCommand(profile)} (or use --provider openai with an API key).`;
}
