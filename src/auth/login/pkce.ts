// PKCE (RFC 7636) and the per-attempt random values of a browser login.
import { createHash, randomBytes } from "node:crypto";

/** A URL-safe random string (base64url, no padding); `bytes` of entropy, default 32. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * A fresh verifier/challenge pair. 64 random bytes give an 86-character verifier,
 * inside RFC 7636's 43–128 range; the challenge is base64url(SHA-256(verifier)) (S256).
 */
export function createPkce(): { verifier: string; challenge: string } {
  const verifier = randomToken(64);
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}
