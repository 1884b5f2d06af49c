// `requires_openai_auth = true` on a custom provider: send the user's own OpenAI
// credential (docs/protocol.md#codex-cli-client), exactly as the built-in provider that owns it would —
// API key, Sign in with ChatGPT, or the Codex sign-in with its account header and
// refresh. Without an explicit `auth`, the first credential present in
// SHARED_AUTH_KINDS order is used, with a warning when there are several.
import type { AuthSource } from "../transport/auth-source.js";
import type { CredentialStore } from "../auth/store/index.js";
import type { Env } from "../config/paths.js";
import { SHARED_AUTH_KINDS, type SharedAuthKind } from "../config/providers.js";
import { ProviderError } from "../errors.js";
import type { NoticeHandler } from "../notice.js";

/** An AuthSource decided on first use (it may need the store); a failed decision is retried next time. */
export class DeferredAuthSource implements AuthSource {
  private decided?: Promise<AuthSource>;

  constructor(
    private readonly decide: () => Promise<AuthSource>,
    readonly description: string,
  ) {}

  private source(): Promise<AuthSource> {
    this.decided ??= this.decide().catch((error: unknown) => {
      this.decided = undefined;
      throw error;
    });
    return this.decided;
  }

  async headers(signal?: AbortSignal): Promise<Record<string, string>> {
    return (await this.source()).headers(signal);
  }

  async unauthorized(signal?: AbortSignal, rejected?: Record<string, string>): Promise<boolean> {
    return (await this.source()).unauthorized(signal, rejected);
  }
}

export interface SharedAuthOptions {
  providerName: string;
  /** Set by the provider's `auth` key; undefined = pick by SHARED_AUTH_KINDS order. */
  kind?: SharedAuthKind;
  env: Env;
  profile: string;
  /** An API key passed to createProvider counts as an `openai` credential. */
  apiKeyOption?: string;
  store(): Promise<CredentialStore>;
  /** The auth source of the built-in provider owning that credential. */
  builtin(kind: SharedAuthKind): AuthSource;
  onNotice?: NoticeHandler;
}

function loginCommand(kind: SharedAuthKind, profile: string): string {
  const suffix = profile === "default" ? "" : ` --profile ${profile}`;
  return kind === "openai"
    ? `printenv OPENAI_API_KEY | codex-provider login --provider openai --with-api-key${suffix}`
    : `codex-provider login --provider ${kind}${suffix}`;
}

/** Which credentials exist, in preference order; env variables count as the built-ins count them. */
async function presentKinds(options: SharedAuthOptions): Promise<SharedAuthKind[]> {
  const stored = (await (await options.store()).read(options.profile)).credentials;
  const present: Record<SharedAuthKind, boolean> = {
    openai: Boolean(options.apiKeyOption || options.env.OPENAI_API_KEY || stored.openai),
    chatgpt: stored.chatgpt !== undefined,
    "chatgpt-codex": Boolean(options.env.CODEX_ACCESS_TOKEN || stored["chatgpt-codex"]),
  };
  return SHARED_AUTH_KINDS.filter((kind) => present[kind]);
}

export function sharedOpenAIAuth(options: SharedAuthOptions): AuthSource {
  const { providerName, kind, profile } = options;
  if (kind) return new DeferredAuthSource(async () => options.builtin(kind), `${kind} credential (profile ${profile})`);
  return new DeferredAuthSource(async () => {
    const [first, ...others] = await presentKinds(options);
    if (!first) {
      throw new ProviderError("login_required", `Provider "${providerName}" uses your OpenAI credential (requires_openai_auth), but profile ${profile} has none.`, {
        hint: `Sign in with one of:\n  ${SHARED_AUTH_KINDS.map((k) => loginCommand(k, profile)).join("\n  ")}`,
      });
    }
    if (others.length > 0) {
      options.onNotice?.({
        code: "warning",
        message:
          `provider "${providerName}": several credentials are available (${[first, ...others].join(", ")}); using ${first}. ` +
          `Set auth = "<one of them>" under [providers.${providerName}] to choose.`,
      });
    }
    return options.builtin(first);
  }, `OpenAI credential (profile ${profile})`);
}
