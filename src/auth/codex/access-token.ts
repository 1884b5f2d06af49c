// Codex access tokens (`at-…`, docs/protocol.md#codex-access-tokens): Business/Enterprise, workspace-scoped,
// never refreshed. `whoami` names the workspace; a rejected token is terminal and the
// error says where to create a new one.
import { ProviderError } from "../../errors.js";
import { getJson } from "../../transport/json-request.js";
import type { AccessTokenCredential } from "../credential.js";
import type { AuthSource } from "../../transport/auth-source.js";
import { StaticAuthSource } from "../static-source.js";
import { ACCESS_TOKEN_ADMIN_URL, type CodexAuthEndpoints } from "./constants.js";
import { clientHeaders, type CodexIdentity } from "./headers.js";

/**
 * Values other than `at-…` are agent-identity assertions, which are not a public contract
 * (docs/protocol.md#codex-access-tokens).
 */
function isCodexAccessToken(token: string): boolean {
  return token.startsWith("at-");
}

function accessTokenRejected(detail?: string): ProviderError {
  return new ProviderError(
    "invalid_credentials",
    `The Codex access token was rejected${detail ? ` (${detail})` : ""}: it has expired or was revoked, and access tokens cannot be refreshed.`,
    {
      hint:
        `Create a new one at ${ACCESS_TOKEN_ADMIN_URL} (ChatGPT Business/Enterprise; an admin must allow Codex access tokens), ` +
        "then set CODEX_ACCESS_TOKEN or run: printenv CODEX_ACCESS_TOKEN | codex-provider login --provider chatgpt-codex --with-access-token",
    },
  );
}

export function checkAccessTokenShape(token: string): void {
  if (!isCodexAccessToken(token)) {
    throw new ProviderError("config_error", "That is not a Codex access token (they start with \"at-\"). Agent-identity tokens are not supported.", {
      hint: `Create an access token at ${ACCESS_TOKEN_ADMIN_URL}.`,
    });
  }
}

/** `GET …/user-auth-credential/whoami` → the workspace and plan the token belongs to. */
export async function whoami(endpoints: CodexAuthEndpoints, token: string, signal?: AbortSignal): Promise<Omit<AccessTokenCredential, "savedAt">> {
  checkAccessTokenShape(token);
  let body: unknown;
  try {
    ({ body } = await getJson(endpoints.whoami, { auth: new StaticAuthSource(token, "Codex access token", clientHeaders()), signal, retry: { maxRetries: 2 } }));
  } catch (error) {
    if (error instanceof ProviderError && (error.code === "invalid_credentials" || error.code === "permission_denied")) {
      throw accessTokenRejected(error.message);
    }
    throw error;
  }
  const json = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return {
    type: "access-token",
    token,
    accountId: str(json.chatgpt_account_id),
    planType: str(json.chatgpt_plan_type),
    email: str(json.email),
    fedramp: json.chatgpt_account_is_fedramp === true ? true : undefined,
  };
}

export function accessTokenIdentity(credential: Pick<AccessTokenCredential, "token" | "accountId" | "fedramp">): CodexIdentity {
  return { token: credential.token, accountId: credential.accountId, fedramp: credential.fedramp };
}

/**
 * AuthSource for an access token, from env (identity via whoami on first use) or
 * from the store (identity saved at login). After a 401 it throws the "create a new
 * token" error instead of retrying: there is nothing to refresh.
 */
export class AccessTokenAuthSource implements AuthSource {
  private identity?: Promise<CodexIdentity>;

  constructor(
    private readonly load: (signal?: AbortSignal) => Promise<CodexIdentity>,
    private readonly headersFor: (identity: CodexIdentity) => Record<string, string>,
    readonly description: string,
  ) {}

  async headers(signal?: AbortSignal): Promise<Record<string, string>> {
    this.identity ??= this.load(signal).catch((error: unknown) => {
      this.identity = undefined;
      throw error;
    });
    return this.headersFor(await this.identity);
  }

  async unauthorized(): Promise<boolean> {
    throw accessTokenRejected();
  }
}
