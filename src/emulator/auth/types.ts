// Public shapes of the auth-server emulator (the contract the HTTP emulator mounts).
import type { IncomingMessage, ServerResponse } from "node:http";

export interface EmulatedUser {
  /** OIDC `sub`. */
  subject: string;
  email: string;
  /** `chatgpt_account_id`. */
  accountId: string;
  /** `chatgpt_user_id`. */
  userId: string;
  /** `chatgpt_plan_type`: "plus" by default. */
  planType: string;
}

export interface AuthEmulatorOptions {
  /** e.g. "http://127.0.0.1:PORT/auth"; a getter because the port is known only after listen. */
  issuer: () => string;
  user?: Partial<EmulatedUser>;
  /**
   * Default 3600 (SIWC, docs/protocol.md#siwc-refresh) / 864000 (Codex, docs/protocol.md#codex-refresh); when
   * set it applies to both.
   */
  accessTokenTtlSeconds?: number;
  /** Codex loopback ports registered for `app_EMoa…`; default [1455, 1457]. */
  codexRedirectPorts?: number[];
  /** Default true; false makes the usercode endpoint answer 404. */
  deviceCodeEnabled?: boolean;
  /** Default 5. */
  devicePollIntervalSeconds?: number;
  /** Default 900. */
  deviceCodeTtlSeconds?: number;
  /** The clock for device-code expiry and poll intervals (default Date.now): tests move it instead of waiting. */
  now?: () => number;
}

export type TokenCheck =
  | {
      ok: true;
      kind: "siwc" | "codex" | "access-token";
      subject: string;
      accountId: string;
      planType: string;
      email: string;
      clientId?: string;
      scopes: string[];
      fedramp?: boolean;
    }
  | { ok: false; reason: "expired" | "invalid" | "revoked" };

/** Request counters (attempts, including failed and fault-injected ones). */
export interface AuthStats {
  authorizeRequests: number;
  tokenExchanges: number;
  refreshes: number;
  refreshReuseDetected: number;
  revocations: number;
  deviceCodesIssued: number;
  devicePolls: number;
}

export type IdTokenFault = "wrong-nonce" | "bad-signature" | "expired" | "wrong-audience" | "wrong-issuer";

export interface AuthControls {
  /** Persistent until changed. */
  authorize: "approve" | "deny" | "deny-missing-entitlement";
  /** SIWC: scopes granted by the next approved authorization (then reset). */
  grantedScopes?: string[];
  /** Persistent until changed. */
  idTokenFault?: IdTokenFault | null;
  /** The next token response leaves out `scope` (then reset): a client must not assume the grant. */
  omitTokenScope?: boolean;
  /**
   * The next `count` token-endpoint requests answer `status` with `body` (then reset).
   * A string body is sent as is, with `headers` (e.g. a `text/html` content type, for
   * the Cloudflare challenge page a client can meet in front of the real endpoint).
   */
  failNextTokenRequests?: { count: number; status: number; body: unknown; headers?: Record<string, string> };
}

export interface AuthEmulator {
  /** Handle a request whose path (after the "/auth" mount prefix) is `path`. Resolves false if no route matched. */
  handle(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<boolean>;
  /** Authenticate `Authorization: Bearer <token>` values that are not API keys. */
  verifyAccessToken(token: string): Promise<TokenCheck>;
  readonly user: EmulatedUser;
  readonly stats: AuthStats;
  controls: AuthControls;
  /** Approve or deny a pending device code without HTTP. */
  resolveDeviceCode(userCode: string, action: "approve" | "deny"): boolean;
  /** Mint a Codex Business/Enterprise access token (`at-…`), optionally already expired. */
  mintCodexAccessToken(options?: { expiresInSeconds?: number; fedramp?: boolean }): string;
  /** Revoke every token of the user (as when the user disconnects the app). */
  revokeAll(): void;
  /** Forcibly expire all current access tokens (to test refresh on 401). */
  expireAccessTokens(): void;
}
