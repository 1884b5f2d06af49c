// Device-code sign-in for SSH, containers and WSL (docs/protocol.md#codex-device-code; not RFC 8628): get a
// user code, show it, poll at the server's interval until the user approves it in a
// browser elsewhere, then exchange the server-generated PKCE pair like a browser code.
import { ProviderError } from "../../errors.js";
import { errorFacts } from "../../transport/classify.js";
import { systemClock, type Clock } from "../../transport/retry.js";
import type { OAuthCredential } from "../credential.js";
import { postOAuth } from "../oauth/token-client.js";
import { CODEX_CLIENT_ID, type CodexAuthEndpoints } from "./constants.js";
import { clientHeaders } from "./headers.js";
import { exchangeCode } from "./tokens.js";

/** Codex gives up after 15 minutes and tells the user so. */
export const DEVICE_CODE_LIFETIME_MS = 15 * 60_000;
const DEFAULT_INTERVAL_MS = 5_000;
// Codex has no floor; a server answering "0" must not make us hammer it.
const MIN_INTERVAL_MS = 1_000;
const SLOW_DOWN_STEP_MS = 5_000;

/** What the user needs to approve the sign-in on another device. */
export interface DeviceCodePrompt {
  /** The page to open (any device). */
  verificationUrl: string;
  /** The code to enter there; a phishing target, so show it only to the user. */
  userCode: string;
  /** How long the code stays valid. */
  expiresInMs: number;
}

export interface DeviceLoginOptions {
  endpoints: CodexAuthEndpoints;
  /** Show the code and where to enter it (the CLI prints it on stderr). The library writes nothing itself. */
  present(prompt: DeviceCodePrompt): Promise<void> | void;
  signal?: AbortSignal;
  /** Injectable so tests need not wait for real intervals. */
  clock?: Pick<Clock, "now" | "sleep">;
}

interface UserCode {
  deviceAuthId: string;
  userCode: string;
  intervalMs: number;
}

/**
 * `interval` arrives as a string of seconds (docs/protocol.md#codex-device-code); anything unreadable means
 * the default.
 */
function pollInterval(value: unknown): number {
  const seconds = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.max(MIN_INTERVAL_MS, seconds * 1000) : DEFAULT_INTERVAL_MS;
}

async function requestUserCode(endpoints: CodexAuthEndpoints, signal?: AbortSignal): Promise<UserCode> {
  const response = await postOAuth(endpoints.deviceUserCode, { client_id: CODEX_CLIENT_ID }, { encoding: "json", headers: clientHeaders(), signal });
  if (response.status === 404) {
    throw new ProviderError("login_failed", "Device-code sign-in is not enabled for this ChatGPT account or workspace.", {
      status: 404,
      hint:
        "Enable \"device code authorization for Codex\" in ChatGPT → Settings → Security (in a workspace, an admin must allow it), " +
        "or sign in with the browser: codex-provider login --provider chatgpt-codex",
    });
  }
  const json = response.json ?? {};
  const deviceAuthId = json.device_auth_id;
  const userCode = json.user_code ?? json.usercode;
  if (response.status !== 200 || typeof deviceAuthId !== "string" || typeof userCode !== "string") {
    const facts = errorFacts(response.json, response.status);
    throw new ProviderError("login_failed", `Could not start device-code sign-in (HTTP ${response.status}${facts.message ? `: ${facts.message}` : ""}).`, {
      status: response.status,
      upstreamCode: facts.code,
    });
  }
  return { deviceAuthId, userCode, intervalMs: pollInterval(json.interval) };
}

type Poll = { kind: "approved"; code: string; verifier: string } | { kind: "pending" } | { kind: "slow_down" };

async function poll(endpoints: CodexAuthEndpoints, code: UserCode, signal?: AbortSignal): Promise<Poll> {
  const response = await postOAuth(
    endpoints.deviceToken,
    { device_auth_id: code.deviceAuthId, user_code: code.userCode },
    { encoding: "json", headers: clientHeaders(), signal },
  );
  const json = response.json ?? {};
  if (response.status === 200) {
    if (typeof json.authorization_code !== "string" || typeof json.code_verifier !== "string") {
      throw new ProviderError("protocol_error", "The device sign-in was approved, but the answer had no authorization code.");
    }
    return { kind: "approved", code: json.authorization_code, verifier: json.code_verifier };
  }
  const facts = errorFacts(response.json, response.status);
  if (facts.code === "slow_down") return { kind: "slow_down" };
  // Codex reads 403 and 404 as "not approved yet" (docs/protocol.md#codex-device-code).
  if (response.status === 403 || response.status === 404) return { kind: "pending" };
  if (facts.code === "expired_token" || facts.code === "deviceauth_expired") {
    throw new ProviderError("login_failed", "The device code expired before it was approved. Run the login again for a new code.", { upstreamCode: facts.code });
  }
  if (facts.code === "access_denied" || facts.code === "authorization_declined") {
    throw new ProviderError("login_failed", "The device sign-in was denied in the browser. Nothing was saved.", { upstreamCode: facts.code });
  }
  throw new ProviderError("login_failed", `Device sign-in failed with status ${response.status}${facts.message ? `: ${facts.message}` : ""}.`, {
    status: response.status,
    upstreamCode: facts.code,
  });
}

/** Runs the device flow to a credential; nothing is stored here. Abort (Ctrl-C) rejects with `aborted`. */
export async function deviceLogin(options: DeviceLoginOptions): Promise<OAuthCredential> {
  const { endpoints, signal } = options;
  const clock = options.clock ?? systemClock;
  const code = await requestUserCode(endpoints, signal);
  await options.present({ verificationUrl: endpoints.deviceVerification, userCode: code.userCode, expiresInMs: DEVICE_CODE_LIFETIME_MS });
  const deadline = clock.now() + DEVICE_CODE_LIFETIME_MS;
  let interval = code.intervalMs;
  for (;;) {
    const result = await poll(endpoints, code, signal);
    if (result.kind === "approved") {
      return exchangeCode(endpoints, { code: result.code, verifier: result.verifier, redirectUri: endpoints.deviceRedirect }, signal);
    }
    if (result.kind === "slow_down") interval += SLOW_DOWN_STEP_MS;
    if (clock.now() + interval > deadline) {
      throw new ProviderError("login_failed", "The device code expired (15 minutes) before it was approved. Run the login again for a new code.");
    }
    await clock.sleep(interval, signal);
  }
}
