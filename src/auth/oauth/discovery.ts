// The issuer's OpenID discovery document (OIDC Discovery 1.0 / RFC 8414). Endpoints
// the docs do not pin down (JWKS, revocation) are read from it (docs/protocol.md#siwc-discovery), and
// its `issuer` must be exactly the one we asked, or an impostor could name its own keys.
import { ProviderError } from "../../errors.js";
import { getJson } from "../../transport/json-request.js";
import type { AuthSource } from "../../transport/auth-source.js";

export interface DiscoveryDocument {
  issuer: string;
  jwksUri: string;
  revocationEndpoint?: string;
  /** `id_token_signing_alg_values_supported`, when listed. */
  idTokenAlgorithms?: string[];
}

/** Discovery and JWKS are public: no credential is sent. */
const NO_AUTH: AuthSource = {
  description: "none",
  headers: async () => ({}),
  unauthorized: async () => false,
};

// Per process: the document changes rarely and every login/logout needs it.
const cache = new Map<string, Promise<DiscoveryDocument>>();

export function discoveryUrl(issuer: string): string {
  return `${withoutTrailingSlash(issuer)}/.well-known/openid-configuration`;
}

/** The discovery document of `issuer`, fetched once per process (failures are not cached). */
export function discover(issuer: string, signal?: AbortSignal): Promise<DiscoveryDocument> {
  let pending = cache.get(issuer);
  if (!pending) {
    pending = fetchDiscovery(issuer, signal);
    cache.set(issuer, pending);
    pending.catch(() => cache.delete(issuer));
  }
  return pending;
}

async function fetchDiscovery(issuer: string, signal?: AbortSignal): Promise<DiscoveryDocument> {
  const url = discoveryUrl(issuer);
  let body: unknown;
  try {
    ({ body } = await getJson(url, { auth: NO_AUTH, signal, retry: { maxRetries: 2 } }));
  } catch (error) {
    if (!(error instanceof ProviderError) || error.code === "aborted") throw error;
    throw new ProviderError(error.code, `Could not read the sign-in server's discovery document at ${url}: ${error.message}`, {
      status: error.status,
      retryable: error.retryable,
      hint: error.hint,
      cause: error,
    });
  }
  return parseDiscovery(body, issuer, url);
}

function parseDiscovery(body: unknown, expectedIssuer: string, url: string): DiscoveryDocument {
  const doc = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  // OIDC Discovery §4.3 wants them identical; a trailing slash is tolerated because
  // OpenAI's older (Auth0) document used "https://auth0.openai.com/". The document's
  // own value is what ID tokens' `iss` must then match exactly.
  if (typeof doc.issuer !== "string" || withoutTrailingSlash(doc.issuer) !== withoutTrailingSlash(expectedIssuer)) {
    throw new ProviderError(
      "protocol_error",
      `The discovery document at ${url} names issuer ${JSON.stringify(doc.issuer)}, expected ${JSON.stringify(expectedIssuer)}; refusing to trust it.`,
      { hint: "Check CODEX_PROVIDER_AUTH_URL (no trailing path or slash)." },
    );
  }
  if (typeof doc.jwks_uri !== "string" || !doc.jwks_uri) {
    throw new ProviderError("protocol_error", `The discovery document at ${url} has no jwks_uri.`);
  }
  const algorithms = doc.id_token_signing_alg_values_supported;
  return {
    issuer: doc.issuer,
    jwksUri: doc.jwks_uri,
    revocationEndpoint: typeof doc.revocation_endpoint === "string" && doc.revocation_endpoint ? doc.revocation_endpoint : undefined,
    idTokenAlgorithms: Array.isArray(algorithms) && algorithms.every((a) => typeof a === "string") ? (algorithms as string[]) : undefined,
  };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
