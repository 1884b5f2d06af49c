// Which credential a chatgpt-codex request uses, in order: CODEX_ACCESS_TOKEN from the
// environment, then the profile's stored credential — a Codex access token or an
// OAuth sign-in (refreshed by OAuthAuthSource). The store is read on first use, so
// creating a provider stays cheap and offline.
import type { Env } from "../../config/paths.js";
import { ProviderError } from "../../errors.js";
import { fingerprint } from "../../redact.js";
import type { OAuthCredential } from "../credential.js";
import { chatGptClaims, decodeJwtPayload } from "../oauth/jwt.js";
import { OAuthAuthSource } from "../oauth-source.js";
import type { AuthSource } from "../../transport/auth-source.js";
import type { CredentialStore } from "../store/index.js";
import { AccessTokenAuthSource, accessTokenIdentity, checkAccessTokenShape, whoami } from "./access-token.js";
import { codexAuthEndpoints, codexLoginCommand } from "./constants.js";
import type { CodexIdentity } from "./headers.js";
import { refreshCodexTokens } from "./tokens.js";

export const CODEX_PROVIDER_ID = "chatgpt-codex";

export interface CodexAuthOptions {
  env: Env;
  profile: string;
  store(): Promise<CredentialStore>;
  /** The provider's header derivation, applied to whichever identity is in use. */
  headersFor(identity: CodexIdentity): Record<string, string>;
}

/** The identity an OAuth sign-in contributes; the FedRAMP flag lives only in the tokens. */
export function oauthIdentity(credential: OAuthCredential): CodexIdentity {
  const claims = chatGptClaims(decodeJwtPayload(credential.idToken));
  const accessClaims = chatGptClaims(decodeJwtPayload(credential.accessToken));
  return {
    token: credential.accessToken,
    accountId: credential.accountId ?? accessClaims.accountId,
    fedramp: claims.fedramp ?? accessClaims.fedramp,
  };
}

/** Resolves the stored credential on first use and delegates to the matching source. */
class StoredCodexAuthSource implements AuthSource {
  readonly description: string;
  private resolved?: Promise<AuthSource>;

  constructor(private readonly options: CodexAuthOptions) {
    this.description = `chatgpt-codex sign-in (profile ${options.profile})`;
  }

  private source(): Promise<AuthSource> {
    this.resolved ??= this.resolve().catch((error: unknown) => {
      this.resolved = undefined;
      throw error;
    });
    return this.resolved;
  }

  private async resolve(): Promise<AuthSource> {
    const { env, profile, headersFor } = this.options;
    const store = await this.options.store();
    const credential = (await store.read(profile)).credentials[CODEX_PROVIDER_ID];
    const loginCommand = codexLoginCommand(profile);
    if (credential?.type === "access-token") {
      return new AccessTokenAuthSource(async () => accessTokenIdentity(credential), headersFor, `stored Codex access token (profile ${profile})`);
    }
    if (credential?.type === "oauth") {
      const endpoints = codexAuthEndpoints(env);
      return new OAuthAuthSource({
        store,
        profile,
        providerId: CODEX_PROVIDER_ID,
        loginCommand,
        refresh: (current) => refreshCodexTokens(endpoints, current, loginCommand),
        headersFor: (current) => headersFor(oauthIdentity(current)),
      });
    }
    throw new ProviderError("login_required", `Not signed in to chatgpt-codex (profile ${profile}).`, {
      hint:
        `Sign in: ${loginCommand} (add --device on a remote machine, or --import-codex to reuse Codex CLI's login), ` +
        "or set CODEX_ACCESS_TOKEN to a Codex access token.",
    });
  }

  async headers(signal?: AbortSignal): Promise<Record<string, string>> {
    return (await this.source()).headers(signal);
  }

  async unauthorized(signal?: AbortSignal, rejected?: Record<string, string>): Promise<boolean> {
    return (await this.source()).unauthorized(signal, rejected);
  }
}

export function codexAuthSource(options: CodexAuthOptions): AuthSource {
  const token = options.env.CODEX_ACCESS_TOKEN?.trim();
  if (!token) return new StoredCodexAuthSource(options);
  checkAccessTokenShape(token);
  const endpoints = codexAuthEndpoints(options.env);
  return new AccessTokenAuthSource(
    async (signal) => accessTokenIdentity(await whoami(endpoints, token, signal)),
    options.headersFor,
    `Codex access token from CODEX_ACCESS_TOKEN (${fingerprint(token)})`,
  );
}
