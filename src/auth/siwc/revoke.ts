// Sign-out (docs/protocol.md#siwc-sign-out): revoke the refresh token at the discovered revocation
// endpoint (RFC 7009), retrying network errors and 5xx. Never throws for a failed
// revocation: the caller deletes the local credential anyway and tells the user.
import { messageOf, ProviderError } from "../../errors.js";
import { Attempts } from "../../transport/attempts.js";
import type { Clock } from "../../transport/retry.js";
import type { OAuthCredential } from "../credential.js";
import { discover } from "../oauth/discovery.js";
import { postOAuth } from "../oauth/token-client.js";

export type RevokeOutcome = { confirmed: true } | { confirmed: false; reason: string };

const REVOKE_RETRY = { maxRetries: 3, budgetMs: 20_000 };

export async function revokeCredential(
  issuer: string,
  credential: OAuthCredential,
  options: { signal?: AbortSignal; clock?: Clock } = {},
): Promise<RevokeOutcome> {
  let endpoint: string | undefined;
  try {
    endpoint = (await discover(issuer, options.signal)).revocationEndpoint;
  } catch (error) {
    return { confirmed: false, reason: messageOf(error) };
  }
  if (!endpoint) return { confirmed: false, reason: "the sign-in server publishes no revocation endpoint" };

  // No credential rides on this request: the loop only classifies and backs off.
  const attempts = new Attempts({ retry: REVOKE_RETRY, clock: options.clock, signal: options.signal });
  for (;;) {
    try {
      const response = await postOAuth(
        endpoint,
        { token: credential.refreshToken, token_type_hint: "refresh_token", client_id: credential.clientId },
        { encoding: "form", signal: options.signal },
      );
      // RFC 7009 §2.2: 200 also for tokens that were already invalid.
      if (response.status === 200) return { confirmed: true };
      const code = typeof response.json?.error === "string" ? ` (${response.json.error})` : "";
      throw new ProviderError("server_error", `the revocation endpoint answered HTTP ${response.status}${code}`, {
        status: response.status,
        retryable: response.status >= 500,
      });
    } catch (error) {
      try {
        await attempts.failed(error);
      } catch (final) {
        return { confirmed: false, reason: messageOf(final) };
      }
    }
  }
}

