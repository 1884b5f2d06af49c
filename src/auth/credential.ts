// What a login produces and the store keeps. Plain data; no behaviour.

export interface ApiKeyCredential {
  type: "api-key";
  key: string;
  /** ISO 8601. */
  savedAt: string;
}

export interface OAuthCredential {
  type: "oauth";
  accessToken: string;
  refreshToken: string;
  idToken?: string;
  /** Epoch milliseconds when the access token expires (from `exp` or `expires_in`). */
  expiresAt?: number;
  /** OAuth client the tokens were issued to (SIWC: the issued `oaiapp_…` id). */
  clientId: string;
  issuer?: string;
  /** Stable identity (`sub`) of the signed-in user. */
  subject?: string;
  email?: string;
  accountId?: string;
  planType?: string;
  scopes?: string[];
  /** SIWC: false when the `chatgpt.tokens.use.direct` scope was not granted. */
  planUsageEnabled?: boolean;
  /** ISO 8601 time of the last successful refresh or login. */
  lastRefresh: string;
  /**
   * Set when a refresh failed for good (expired, reused, revoked): later calls fail
   * fast with the login command instead of hammering the token endpoint.
   */
  refreshFailure?: { code: string; message: string; at: string };
}

/** A Codex access token (`at-…`) for Business/Enterprise workspaces: no refresh. */
export interface AccessTokenCredential {
  type: "access-token";
  token: string;
  accountId?: string;
  planType?: string;
  email?: string;
  fedramp?: boolean;
  expiresAt?: number;
  savedAt: string;
}

export type Credential = ApiKeyCredential | OAuthCredential | AccessTokenCredential;

/** Everything kept for one profile: one file, mode 0600. */
export interface ProfileData {
  version: 1;
  credentials: Partial<Record<string, Credential>>;
  /**
   * SIWC issued client ids by account subject; kept across logout so a returning
   * user signs in with the same registered client.
   */
  siwcClients?: Record<string, string>;
}

export function emptyProfile(): ProfileData {
  return { version: 1, credentials: {} };
}
