// Codex device-code login (docs/protocol.md#codex-device-code, not RFC 8628): user code issuance, polling, and the
// human page at /codex/device where a test can "play the browser".
import type { IncomingMessage, ServerResponse } from "node:http";
import { CODEX_CLIENT_ID, type AuthContext, type Route } from "./context.js";
import { randomFrom, randomToken, s256 } from "./crypto-util.js";
import { apiError, escapeHtml, readParams, sendHtml, sendJson } from "./http-util.js";

/**
 * Where device-code logins "redirect" (docs/protocol.md#codex-device-code step 5); only ever compared, never
 * visited.
 */
const DEVICE_REDIRECT_PATH = "/deviceauth/callback";
const DEVICE_SCOPES = ["openid", "profile", "email", "offline_access"];
// Unambiguous characters (no I/O/0/1), as RFC 8628 §6.1 advises for typed codes.
const USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
// Timers and network jitter may bring a well-behaved poll in slightly early.
const POLL_TOLERANCE_MS = 100;
// RFC 8628 §3.5: each slow_down adds 5 s to the interval the client must keep.
const SLOW_DOWN_STEP_MS = 5000;

interface DeviceAuthorization {
  deviceAuthId: string;
  userCode: string;
  status: "pending" | "approved" | "denied";
  expiresAt: number;
  intervalMs: number;
  lastPollAt?: number;
  result?: { authorization_code: string; code_challenge: string; code_verifier: string };
}

/** Codes are compared ignoring case, spaces and dashes (what users type). */
function normalizeUserCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

export interface DeviceFlow {
  routes: Route[];
  resolve(userCode: string, action: "approve" | "deny"): boolean;
}

export function deviceFlow(ctx: AuthContext): DeviceFlow {
  const byId = new Map<string, DeviceAuthorization>();
  const byUserCode = new Map<string, DeviceAuthorization>();

  function resolve(userCode: string, action: "approve" | "deny"): boolean {
    const auth = byUserCode.get(normalizeUserCode(userCode));
    if (!auth || auth.status !== "pending" || ctx.now() >= auth.expiresAt) return false;
    if (action === "deny") {
      auth.status = "denied";
      return true;
    }
    // docs/protocol.md#codex-device-code step 4: the server generates the PKCE pair and hands both halves to
    // the poller.
    const verifier = randomToken(64);
    const challenge = s256(verifier);
    const code = ctx.grants.issueCode({
      provider: "codex",
      clientId: CODEX_CLIENT_ID,
      redirectUri: ctx.issuer() + DEVICE_REDIRECT_PATH,
      codeChallenge: challenge,
      scopes: DEVICE_SCOPES,
    });
    auth.status = "approved";
    auth.result = { authorization_code: code, code_challenge: challenge, code_verifier: verifier };
    return true;
  }

  async function issueUserCode(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // docs/protocol.md#codex-device-code: 404 is how the real server says device login is not enabled.
    if (!ctx.settings.deviceCodeEnabled) {
      throw apiError(404, "deviceauth_not_enabled", "Device code login is not enabled for this account.");
    }
    const { params } = await readParams(req, ["json"]);
    if (params.client_id !== CODEX_CLIENT_ID) throw apiError(400, "invalid_client", "Unknown client_id.");
    const auth: DeviceAuthorization = {
      deviceAuthId: `deviceauth_${randomToken(24)}`,
      userCode: `${randomFrom(USER_CODE_ALPHABET, 4)}-${randomFrom(USER_CODE_ALPHABET, 5)}`,
      status: "pending",
      expiresAt: ctx.now() + ctx.settings.deviceCodeTtlSeconds * 1000,
      intervalMs: ctx.settings.devicePollIntervalSeconds * 1000,
    };
    byId.set(auth.deviceAuthId, auth);
    byUserCode.set(normalizeUserCode(auth.userCode), auth);
    ctx.stats.deviceCodesIssued++;
    // `interval` is a string of seconds, as the real server sends it (docs/protocol.md#codex-device-code).
    sendJson(res, 200, {
      device_auth_id: auth.deviceAuthId,
      user_code: auth.userCode,
      interval: String(ctx.settings.devicePollIntervalSeconds),
    });
  }

  async function poll(req: IncomingMessage, res: ServerResponse): Promise<void> {
    ctx.stats.devicePolls++;
    const { params } = await readParams(req, ["json"]);
    const auth = byId.get(params.device_auth_id ?? "");
    if (!auth || normalizeUserCode(params.user_code ?? "") !== normalizeUserCode(auth.userCode)) {
      throw apiError(404, "deviceauth_not_found", "Unknown device authorization.");
    }
    const now = ctx.now();
    // Expiry and denial must not be 403/404, which clients read as "pending"; the codes
    // are RFC 8628's, in the nested error form this API uses.
    if (now >= auth.expiresAt) throw apiError(400, "expired_token", "The device code has expired. Please try again.");
    if (auth.status === "denied") throw apiError(400, "access_denied", "The device authorization was denied.");
    if (auth.status === "pending") {
      const tooFast = auth.lastPollAt !== undefined && now - auth.lastPollAt < auth.intervalMs - POLL_TOLERANCE_MS;
      auth.lastPollAt = now;
      if (tooFast) {
        auth.intervalMs += SLOW_DOWN_STEP_MS;
        // docs/protocol.md#codex-device-code gives no status for slow_down. Codex reads 403/404 as "pending" and any
        // other status as fatal, so a real slow_down must be a 403 to keep Codex working;
        // the code tells clients that understand it to add 5 s.
        throw apiError(403, "slow_down", "Polling too frequently; slow down by 5 seconds.");
      }
      throw apiError(403, "deviceauth_authorization_pending", "Device authorization is pending. Please try again.");
    }
    // Approved: hand out the code once.
    byId.delete(auth.deviceAuthId);
    byUserCode.delete(normalizeUserCode(auth.userCode));
    sendJson(res, 200, auth.result);
  }

  function page(res: ServerResponse, status: number, body: string): void {
    sendHtml(
      res,
      status,
      `<!doctype html><html><head><meta charset="utf-8"><title>Codex device login (emulator)</title></head><body>${body}</body></html>`,
    );
  }

  async function showForm(res: ServerResponse, url: URL): Promise<void> {
    const prefill = escapeHtml(url.searchParams.get("user_code") ?? "");
    page(
      res,
      200,
      `<h1>Enter the code shown by your device</h1><form method="post">` +
        `<input name="user_code" value="${prefill}" autocomplete="off" autofocus>` +
        `<button name="action" value="approve">Continue</button> <button name="action" value="deny">Cancel</button></form>`,
    );
  }

  async function submitForm(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { params } = await readParams(req, ["form"]);
    const action = params.action;
    if (action !== "approve" && action !== "deny") return page(res, 400, "<p>Unknown action.</p>");
    if (!resolve(params.user_code ?? "", action)) return page(res, 400, "<p>That code is invalid or has expired.</p>");
    page(res, 200, action === "approve" ? "<p>Device approved. You can return to your terminal.</p>" : "<p>Sign-in cancelled.</p>");
  }

  return {
    resolve,
    routes: [
      { method: "POST", path: "/api/accounts/deviceauth/usercode", handler: issueUserCode },
      { method: "POST", path: "/api/accounts/deviceauth/token", handler: poll },
      { method: "GET", path: "/codex/device", handler: (_req, res, url) => showForm(res, url) },
      { method: "POST", path: "/codex/device", handler: submitForm },
    ],
  };
}
