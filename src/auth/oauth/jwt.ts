// Unverified JWT payload decoding (docs/protocol.md#jwt-claims): base64url done right, not atob.
// Signature checks, where needed, happen in id-token validation with jose.

export type JwtClaims = Record<string, unknown>;

function base64UrlDecode(segment: string): Buffer {
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  return Buffer.from(base64 + "=".repeat((4 - (base64.length % 4)) % 4), "base64");
}

/** The payload of a JWT, or undefined when the value is not a decodable JWT (opaque tokens). */
export function decodeJwtPayload(token: string | undefined): JwtClaims | undefined {
  if (!token) return undefined;
  const parts = token.split(".");
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]*$/.test(parts[1])) return undefined;
  try {
    const payload = JSON.parse(base64UrlDecode(parts[1]).toString("utf8")) as unknown;
    return payload && typeof payload === "object" ? (payload as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

export interface ChatGptClaims {
  accountId?: string;
  planType?: string;
  userId?: string;
  email?: string;
  subject?: string;
  fedramp?: boolean;
  /** Epoch milliseconds. */
  expiresAt?: number;
}

const AUTH_CLAIM = "https://api.openai.com/auth";
const PROFILE_CLAIM = "https://api.openai.com/profile";

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** ChatGPT identity claims, with the peer fallbacks docs/protocol.md#jwt-claims lists. */
export function chatGptClaims(claims: JwtClaims | undefined): ChatGptClaims {
  if (!claims) return {};
  const auth = (claims[AUTH_CLAIM] ?? {}) as Record<string, unknown>;
  const profile = (claims[PROFILE_CLAIM] ?? {}) as Record<string, unknown>;
  const organizations = Array.isArray(claims.organizations) ? (claims.organizations as Record<string, unknown>[]) : [];
  return {
    accountId: str(auth.chatgpt_account_id) ?? str(claims.chatgpt_account_id) ?? str(organizations[0]?.id),
    planType: str(auth.chatgpt_plan_type),
    userId: str(auth.chatgpt_user_id) ?? str(auth.user_id),
    email: str(claims.email) ?? str(profile.email),
    subject: str(claims.sub),
    fedramp: auth.chatgpt_account_is_fedramp === true ? true : undefined,
    expiresAt: typeof claims.exp === "number" ? claims.exp * 1000 : undefined,
  };
}
