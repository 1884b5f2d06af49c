// OpenID Connect ID-token validation (OIDC Core §3.1.3.7, docs/protocol.md#siwc-callback) with jose:
// signature against the issuer's JWKS, `iss`, `aud`, `exp`, then `nonce`. Failures
// are `login_failed` errors that name the check that failed, never a token value.
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from "jose";
import { messageOf, ProviderError } from "../../errors.js";
import { readBoundedText, readErrorExcerpt } from "../../transport/body-text.js";
import { send } from "../../transport/http.js";

export interface IdTokenExpectations {
  issuer: string;
  jwksUri: string;
  /** The client the token must be issued to (`aud`). */
  audience: string;
  /** The nonce sent with this authorization request. */
  nonce: string;
  /** Accepted signing algorithms; default RS256 (the SIWC discovery value). */
  algorithms?: string[];
}

/** Clock skew tolerated on `exp`/`iat`/`nbf`. */
const CLOCK_TOLERANCE_SECONDS = 120;

// jose's key set caches the keys and refetches on an unknown `kid` (with a cooldown),
// so one set per JWKS URL is kept for the life of the process.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(jwksUri: string): ReturnType<typeof createRemoteJWKSet> {
  let set = keySets.get(jwksUri);
  if (!set) {
    set = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10_000, [customFetch]: fetchJwks });
    keySets.set(jwksUri, set);
  }
  return set;
}

/** A key set is a few kilobytes; the bound only stops a hostile answer. */
const JWKS_MAX_BYTES = 1024 * 1024;

/**
 * jose fetches the key set with the global fetch by default, which knows nothing of our
 * proxy settings or body bounds; this sends it through the transport like every other call.
 */
async function fetchJwks(url: string, init: { headers: Headers; signal: AbortSignal }): Promise<Response> {
  const response = await send({ url, method: "GET", headers: Object.fromEntries(init.headers), signal: init.signal });
  const body = response.status === 200 ? await readBoundedText(response, JWKS_MAX_BYTES, "The issuer's key set (JWKS)") : await readErrorExcerpt(response);
  return new Response(body, { status: response.status, headers: { "content-type": response.headers["content-type"] ?? "application/json" } });
}

/** The verified claims of `idToken`, or a `login_failed` error naming what failed. */
export async function validateIdToken(idToken: string, expected: IdTokenExpectations): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keySet(expected.jwksUri), {
      issuer: expected.issuer,
      audience: expected.audience,
      algorithms: expected.algorithms ?? ["RS256"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["sub", "exp", "iat"],
    }));
  } catch (error) {
    throw new ProviderError("login_failed", `The ID token from the sign-in server is not valid: ${describe(error)}.`, {
      hint: "Sign in again; if it keeps failing, check CODEX_PROVIDER_AUTH_URL and the system clock.",
    });
  }
  if (payload.nonce !== expected.nonce) {
    throw new ProviderError("login_failed", "The ID token from the sign-in server is not valid: its nonce does not match this sign-in attempt (possible replay).", {
      hint: "Start the sign-in again.",
    });
  }
  return payload;
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "it has expired (exp is in the past)";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "its issuer (iss) is not the expected sign-in server";
    if (error.claim === "aud") return "its audience (aud) is not this app's client id";
    return `its ${error.claim} claim failed validation (${error.reason})`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "its signature does not verify against the issuer's published keys";
  if (error instanceof errors.JWKSNoMatchingKey) return "it is signed with a key the issuer does not publish";
  if (error instanceof errors.JOSEAlgNotAllowed) return "it is signed with an algorithm that is not allowed";
  if (error instanceof errors.JWKSTimeout) return "the issuer's signing keys could not be fetched in time";
  if (error instanceof errors.JOSEError) return `it could not be verified (${error.code})`;
  return `the issuer's signing keys could not be fetched (${messageOf(error)})`;
}
