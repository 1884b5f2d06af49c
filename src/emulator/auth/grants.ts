// In-memory grant state: authorization codes, sign-in families with rotating refresh
// tokens, issued access tokens, and Codex personal access tokens. No HTTP here; every
// mutation is synchronous so a handler's check-then-rotate cannot interleave with another.
import { randomToken } from "./crypto-util.js";

export type Provider = "siwc" | "codex";

/** One sign-in: everything issued from one authorization code, across refreshes. */
export interface Family {
  readonly provider: Provider;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** Unix seconds of the sign-in, for the ID token's `auth_time`. */
  readonly authTime: number;
  revoked: boolean;
}

export interface AuthCodeGrant {
  provider: Provider;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  /** RFC 8707 resource the code was requested for (SIWC). */
  resource?: string;
  /** OIDC nonce to echo in the ID token (SIWC). */
  nonce?: string;
}

interface CodeRecord {
  grant: AuthCodeGrant;
  expiresAt: number;
  used: boolean;
  family?: Family;
}

interface RefreshRecord {
  family: Family;
  expiresAt: number;
  rotated: boolean;
}

interface AccessRecord {
  family?: Family;
  expiresAt: number;
  revoked: boolean;
}

export type CodeLookup =
  | { ok: true; grant: AuthCodeGrant; bind(family: Family): void }
  | { ok: false; reason: "unknown" | "expired" | "used" };
export type RefreshLookup =
  | { ok: true; family: Family }
  | { ok: false; reason: "unknown" | "expired" | "reused" | "revoked" };
export type AccessStatus = "ok" | "unknown" | "expired" | "revoked";

// RFC 6749 §4.1.2 recommends at most 10 minutes for codes.
const CODE_TTL_MS = 10 * 60_000;
// docs/protocol.md#siwc-refresh: refresh tokens live 30 days, each rotation starting a fresh 30 days. Codex's
// lifetime is undocumented; the same is assumed.
const REFRESH_TTL_MS = 30 * 86_400_000;
// Refresh-token shapes are our choice: Codex `rt_` + 43 base64url chars, SIWC a prefix
// naming the app family. Both match the redaction patterns for opaque refresh tokens.
const REFRESH_PREFIX: Record<Provider, string> = { codex: "rt_", siwc: "oaiapp_rt_" };

export class GrantStore {
  private readonly codes = new Map<string, CodeRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly accessTokens = new Map<string, AccessRecord>();

  issueCode(grant: AuthCodeGrant): string {
    const code = `ac_${randomToken(32)}`;
    this.codes.set(code, { grant, expiresAt: Date.now() + CODE_TTL_MS, used: false });
    return code;
  }

  /**
   * Consume a code. A second use also revokes what the first use issued
   * (RFC 6749 §4.1.2: the code may have leaked).
   */
  takeCode(code: string): CodeLookup {
    const record = this.codes.get(code);
    if (!record) return { ok: false, reason: "unknown" };
    if (record.used) {
      if (record.family) this.revokeFamily(record.family);
      return { ok: false, reason: "used" };
    }
    record.used = true;
    if (Date.now() >= record.expiresAt) return { ok: false, reason: "expired" };
    return { ok: true, grant: record.grant, bind: (family) => (record.family = family) };
  }

  createFamily(provider: Provider, clientId: string, scopes: readonly string[]): Family {
    const authTime = Math.floor(Date.now() / 1000);
    return { provider, clientId, scopes: [...scopes], authTime, revoked: false };
  }

  /** Issue the family's next refresh token; every earlier one becomes "rotated". */
  rotateRefreshToken(family: Family): string {
    for (const record of this.refreshTokens.values()) if (record.family === family) record.rotated = true;
    const token = REFRESH_PREFIX[family.provider] + randomToken(32);
    this.refreshTokens.set(token, { family, expiresAt: Date.now() + REFRESH_TTL_MS, rotated: false });
    return token;
  }

  /**
   * Look a refresh token up. Presenting a rotated one ends the sign-in: the whole family,
   * including its live access tokens, is revoked (RFC 9700 §4.14, docs/protocol.md#siwc-refresh).
   */
  findRefreshToken(token: string): RefreshLookup {
    const record = this.refreshTokens.get(token);
    if (!record) return { ok: false, reason: "unknown" };
    if (record.family.revoked) return { ok: false, reason: "revoked" };
    if (record.rotated) {
      this.revokeFamily(record.family);
      return { ok: false, reason: "reused" };
    }
    if (Date.now() >= record.expiresAt) return { ok: false, reason: "expired" };
    return { ok: true, family: record.family };
  }

  /** The family a refresh token or access-token `jti` belongs to. */
  familyOf(tokenOrJti: string): Family | undefined {
    return this.refreshTokens.get(tokenOrJti)?.family ?? this.accessTokens.get(tokenOrJti)?.family;
  }

  registerAccessToken(id: string, expiresAt: number, family?: Family): void {
    this.accessTokens.set(id, { family, expiresAt, revoked: false });
  }

  accessStatus(id: string): AccessStatus {
    const record = this.accessTokens.get(id);
    if (!record) return "unknown";
    if (record.revoked || record.family?.revoked) return "revoked";
    return Date.now() >= record.expiresAt ? "expired" : "ok";
  }

  revokeFamily(family: Family): void {
    family.revoked = true;
  }

  revokeAll(): void {
    for (const record of this.refreshTokens.values()) record.family.revoked = true;
    for (const record of this.accessTokens.values()) record.revoked = true;
  }

  /** Server-side expiry of every issued access token; their `exp` claims are untouched. */
  expireAccessTokens(): void {
    const now = Date.now();
    for (const record of this.accessTokens.values()) record.expiresAt = Math.min(record.expiresAt, now);
  }
}
