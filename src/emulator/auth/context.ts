// What every auth route shares: settings, keys, grant state, counters and test controls.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GrantStore } from "./grants.js";
import type { SigningKeys } from "./keys.js";
import type { AuthControls, AuthStats, EmulatedUser } from "./types.js";

export interface AuthSettings {
  siwcAccessTtlSeconds: number;
  codexAccessTtlSeconds: number;
  codexRedirectPorts: readonly number[];
  deviceCodeEnabled: boolean;
  devicePollIntervalSeconds: number;
  deviceCodeTtlSeconds: number;
}

export interface AuthContext {
  issuer(): string;
  readonly user: EmulatedUser;
  readonly settings: AuthSettings;
  readonly keys: SigningKeys;
  readonly grants: GrantStore;
  readonly stats: AuthStats;
  readonly controls: AuthControls;
  /** Opaque SIWC `per_user_salt` (docs/protocol.md#siwc-refresh), fixed per emulator. */
  readonly perUserSalt: string;
  /** The user's personal organization, listed in Codex ID tokens. */
  readonly organizationId: string;
  /** Epoch ms for device-code expiry and poll intervals (injectable, see AuthEmulatorOptions.now). */
  now(): number;
}

export interface Route {
  method: "GET" | "POST";
  path: string;
  handler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

/** The public client id of the Codex CLI (docs/protocol.md#codex-oauth-client). */
export const CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
/** The audience of every access token, SIWC (docs/protocol.md#siwc-refresh) and Codex alike. */
export const API_AUDIENCE = "https://api.openai.com/v1";
export const AUTH_CLAIM = "https://api.openai.com/auth";
export const PROFILE_CLAIM = "https://api.openai.com/profile";
