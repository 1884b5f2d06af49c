// Random identifiers and PKCE (RFC 7636) arithmetic.
import { createHash, randomBytes, randomInt } from "node:crypto";

/** `bytes` random bytes as base64url without padding (32 bytes → 43 chars). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

/** Random string over `alphabet`. */
export function randomFrom(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** base64url-no-pad(SHA-256(verifier)), the S256 code challenge. */
export function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

// RFC 7636 §4.1: 43–128 unreserved characters.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
// A SHA-256 digest is 32 bytes: exactly 43 base64url characters.
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isValidVerifier(verifier: string | undefined): verifier is string {
  return verifier !== undefined && VERIFIER.test(verifier);
}

export function isValidChallenge(challenge: string | undefined): challenge is string {
  return challenge !== undefined && CHALLENGE.test(challenge);
}
