// Codex access tokens (`at-…`, docs/protocol.md#codex-access-tokens): minting for tests and the whoami endpoint.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthContext, Route } from "./context.js";
import { randomToken } from "./crypto-util.js";
import { apiError, bearerToken, sendJson } from "./http-util.js";

export type PersonalTokenCheck = { ok: true; fedramp: boolean } | { ok: false; reason: "expired" | "invalid" | "revoked" };

export class PersonalTokens {
  // Expiry and revocation live in the grant store with every other access token, so
  // revokeAll/expireAccessTokens cover these too; only the FedRAMP flag is kept here.
  private readonly fedramp = new Map<string, boolean>();

  constructor(private readonly ctx: AuthContext) {}

  /** No `expiresInSeconds` = a token created without expiry; zero or negative = already expired. */
  mint(options: { expiresInSeconds?: number; fedramp?: boolean } = {}): string {
    const token = `at-${randomToken(36)}`;
    const expiresAt = options.expiresInSeconds === undefined ? Infinity : Date.now() + options.expiresInSeconds * 1000;
    this.ctx.grants.registerAccessToken(token, expiresAt);
    this.fedramp.set(token, options.fedramp ?? false);
    return token;
  }

  check(token: string): PersonalTokenCheck {
    const fedramp = this.fedramp.get(token);
    const status = this.ctx.grants.accessStatus(token);
    if (fedramp === undefined || status === "unknown") return { ok: false, reason: "invalid" };
    return status === "ok" ? { ok: true, fedramp } : { ok: false, reason: status };
  }

  whoamiRoute(): Route {
    return { method: "GET", path: "/api/accounts/v1/user-auth-credential/whoami", handler: (req, res) => this.whoami(req, res) };
  }

  private async whoami(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = bearerToken(req);
    const check = token?.startsWith("at-") ? this.check(token) : ({ ok: false, reason: "invalid" } as const);
    if (!check.ok) {
      // 401 bodies as in docs/protocol.md#codex-errors.
      if (check.reason === "expired") throw apiError(401, "token_expired", "Provided authentication token is expired.");
      if (check.reason === "revoked") {
        throw apiError(401, "token_invalidated", "Your authentication token has been invalidated. Please try signing in again.");
      }
      throw apiError(401, "invalid_token", "Invalid authentication token.");
    }
    const { user } = this.ctx;
    sendJson(res, 200, {
      email: user.email,
      chatgpt_user_id: user.userId,
      chatgpt_account_id: user.accountId,
      chatgpt_plan_type: user.planType,
      chatgpt_account_is_fedramp: check.fedramp,
    });
  }
}
