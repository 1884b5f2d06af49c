// The one place that derives ChatGPT-backend request headers from a credential
// (docs/protocol.md#codex-headers). OAuth sign-ins and Codex access tokens both reduce to an identity;
// everything else about the request comes from the session.
import { release } from "node:os";
import { ORIGINATOR, VERSION } from "../../version.js";

/** What a credential contributes to a request. */
export interface CodexIdentity {
  /** Access token (JWT) or Codex access token (`at-…`). */
  token: string;
  /** `chatgpt_account_id`; selects the workspace (without it: personal quota, or 403). */
  accountId?: string;
  fedramp?: boolean;
}

export interface CodexSession {
  /** Stable per conversation; the backend derives prompt-cache affinity from it. Equals `prompt_cache_key`. */
  sessionId: string;
  /**
   * Optional headers (e.g. `openai-beta`, `x-codex-installation-id`), lower-cased. They may
   * replace `originator` or `user-agent`, never the identity or session headers.
   */
  extra?: Record<string, string>;
}

/** `codex-provider/0.1.0 (linux 6.8.0; x64)` — Codex's `<originator>/<version> (<os> <os-version>; <arch>)` pattern. */
function codexUserAgent(): string {
  return `${ORIGINATOR}/${VERSION} (${process.platform} ${release()}; ${process.arch})`;
}

/** Headers every call to the auth server sends (Codex sends originator and User-Agent there too). */
export function clientHeaders(): Record<string, string> {
  return { originator: ORIGINATOR, "user-agent": codexUserAgent() };
}

/**
 * All headers of a backend request. `accept` defaults to the event stream of
 * `/codex/responses`; JSON endpoints (models, usage) pass `application/json`.
 */
export function codexHeaders(identity: CodexIdentity, session: CodexSession, accept = "text/event-stream"): Record<string, string> {
  const headers: Record<string, string> = {
    ...clientHeaders(),
    accept,
    ...session.extra,
    // Codex 0.169 and Pi 1.5 spell it with a hyphen; older clients used `session_id`.
    "session-id": session.sessionId,
    "x-client-request-id": session.sessionId,
    authorization: `Bearer ${identity.token}`,
  };
  if (identity.accountId) headers["chatgpt-account-id"] = identity.accountId;
  if (identity.fedramp) headers["x-openai-fedramp"] = "true";
  return headers;
}
