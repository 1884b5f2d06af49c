// createProvider: picks the provider by id and wires its auth, endpoints and transport.
import type { ApiKeyCredential } from "../auth/credential.js";
import type { AuthSource } from "../transport/auth-source.js";
import { StaticAuthSource } from "../auth/static-source.js";
import { StoredSecretAuthSource } from "../auth/stored-key-source.js";
import type { CredentialStore } from "../auth/store/index.js";
import { stateHome, type Env } from "../config/paths.js";
import { BUILTIN_PROVIDERS, type CustomProviderConfig } from "../config/providers.js";
import { ProviderError } from "../errors.js";
import type { TransportOptions } from "../transport/response-stream.js";
import { openaiSpec, platformBaseUrl, platformHeaders } from "./openai.js";
import { providerFromSpec, type Provider, type ProviderContext } from "./provider.js";
import { lazyProvider } from "./lazy-provider.js";
import type { CodexProvider } from "./chatgpt-codex.js";
import { customProvider } from "./custom.js";
import { entryLabel, fallbackEntries, fallbackProvider, type FallbackEntryInput } from "./fallback.js";

export interface CreateProviderOptions extends TransportOptions {
  /** `openai` (default), `chatgpt`, `chatgpt-codex`, or a custom provider from config. */
  provider?: string;
  /** Platform API key; default `OPENAI_API_KEY`, then the stored credential. */
  apiKey?: string;
  profile?: string;
  /** State directory; default `CODEX_PROVIDER_HOME` or `~/.codex-provider`. */
  home?: string;
  env?: Env;
  baseUrl?: string;
  /** Model used when a request names none. */
  model?: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Custom providers by id, shaped like config.toml's `[providers.NAME]` tables. */
  customProviders?: Record<string, CustomProviderConfig>;
  /**
   * Credentials to continue on when a usage limit is reached, in order; the first is the
   * provider to start with (it replaces `provider`). `"chatgpt:work"` names a profile;
   * an object entry may carry a `modelMap` for that provider's model names.
   */
  fallback?: FallbackEntryInput[];
}

function openaiAuth(context: ProviderContext): AuthSource {
  const key = context.options.apiKey ?? context.env.OPENAI_API_KEY;
  if (key) return new StaticAuthSource(key, context.options.apiKey ? "API key (option)" : "API key (OPENAI_API_KEY)");
  return new StoredSecretAuthSource<ApiKeyCredential>(
    context.store,
    context.profile,
    "openai",
    "api-key",
    (credential) => ({ authorization: `Bearer ${credential.key}` }),
    {
      message: "No OpenAI API key found.",
      hint: `Set OPENAI_API_KEY, or store one: codex-provider login --provider openai --with-api-key${context.profile === "default" ? "" : ` --profile ${context.profile}`} (reads the key from stdin).`,
    },
    `stored API key (profile ${context.profile})`,
  );
}

/** `chatgpt-codex` providers also report plan usage: `createProvider({ provider: "chatgpt-codex" }).usage()`. */
export function createProvider(options: CreateProviderOptions & { provider: "chatgpt-codex" }): CodexProvider;
export function createProvider(options?: CreateProviderOptions): Provider;
export function createProvider(options: CreateProviderOptions = {}): Provider {
  const env = options.env ?? process.env;
  const id = options.provider ?? "openai";
  const home = options.home ?? stateHome(env);
  if (options.fallback) {
    const members = fallbackEntries(options.fallback).map((entry) => ({
      label: entryLabel(entry),
      provider: createProvider({ ...options, home, fallback: undefined, provider: entry.provider, profile: entry.profile ?? options.profile }),
      modelMap: entry.modelMap,
    }));
    return fallbackProvider(members, { home, onNotice: options.onNotice });
  }
  let storePromise: Promise<CredentialStore> | undefined;
  const context: ProviderContext = {
    env,
    home,
    profile: options.profile ?? "default",
    store: () =>
      (storePromise ??= import("../auth/store/credential-store.js").then(({ CredentialStore }) => new CredentialStore({ home, onNotice: options.onNotice }))),
    options,
    transport: options,
  };
  const reserved = BUILTIN_PROVIDERS.find((builtin) => options.customProviders?.[builtin]);
  if (reserved) throw new ProviderError("config_error", `"${reserved}" is a built-in provider and cannot be redefined as a custom provider.`);
  switch (id) {
    case "openai":
      return providerFromSpec(
        openaiSpec({
          baseUrl: platformBaseUrl(env, options.baseUrl),
          auth: openaiAuth(context),
          headers: { ...platformHeaders(env), ...options.headers },
          defaultModel: options.model,
        }),
        options,
      );
    // The OAuth providers (and the store they need) load on first use, so that
    // `import("codex-provider")` and API-key calls do not pay for them.
    case "chatgpt":
      return lazyProvider("chatgpt", false, async () => (await import("./chatgpt.js")).chatgptProvider(context));
    case "chatgpt-codex": {
      const lazy = lazyProvider("chatgpt-codex", true, async () => (await import("./chatgpt-codex.js")).chatgptCodexProvider(context));
      const codex: CodexProvider = { ...lazy, usage: async (call) => (await lazy.load()).usage(call) };
      return codex;
    }
    default: {
      const custom = options.customProviders?.[id];
      if (custom) {
        // requires_openai_auth borrows the built-in provider's auth, without its experimental notice.
        return customProvider(id, custom, context, (kind) => createProvider({ ...options, provider: kind, customProviders: undefined, onNotice: undefined }).auth);
      }
      const known = [...BUILTIN_PROVIDERS, ...Object.keys(options.customProviders ?? {})];
      throw new ProviderError("config_error", `Unknown provider "${id}". Known providers: ${known.join(", ")}.`, {
        hint: "Custom providers are defined under [providers.NAME] in config.toml.",
      });
    }
  }
}
