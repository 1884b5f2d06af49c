// What config knows about providers: the built-in ids, the wire APIs and the shape of a
// `[providers.NAME]` table. Dependency-free, so loading and validating config never
// loads a provider, the transport or auth; providers/ imports these, not the reverse.

/** The providers codex-provider ships; config may not redefine them. */
export const BUILTIN_PROVIDERS = ["openai", "chatgpt", "chatgpt-codex"] as const;

/**
 * The credentials `requires_openai_auth` can borrow. Default order: the API key first (the stable path, billed per token, what a proxy
 * usually expects), then Sign in with ChatGPT, then the experimental Codex sign-in.
 */
export const SHARED_AUTH_KINDS = ["openai", "chatgpt", "chatgpt-codex"] as const;
export type SharedAuthKind = (typeof SHARED_AUTH_KINDS)[number];

/** `wire_api`: the dialect a custom provider speaks (Responses API or Chat Completions). */
export const WIRE_APIS = ["responses", "chat"] as const;
type WireApi = (typeof WIRE_APIS)[number];

/** One `[providers.NAME]` table; the keys mirror Codex's `[model_providers.NAME]` where Codex has one. */
export interface CustomProviderConfig {
  /** Display name. */
  name?: string;
  /** `{base_url}/responses` or `{base_url}/chat/completions`, and `{base_url}/models`. */
  base_url: string;
  /** Default "responses". */
  wire_api?: WireApi;
  /** Env variable holding the key, sent as `Authorization: Bearer …`. */
  env_key?: string;
  /** Shown when `env_key` is unset. */
  env_key_instructions?: string;
  /** Static headers. */
  headers?: Record<string, string>;
  /** Header name -> env variable holding its value (sent only when set). */
  env_headers?: Record<string, string>;
  /** Added to every URL (e.g. Azure's `api-version`). */
  query_params?: Record<string, string>;
  /** Served models; the first is the default, and `models` lists these without a network call. */
  models?: string[];
  /** Label the provider experimental wherever it is shown. */
  experimental?: boolean;
  /** Send the user's OpenAI credential instead of `env_key`. */
  requires_openai_auth?: boolean;
  /** With requires_openai_auth: which credential (default: see SHARED_AUTH_KINDS). */
  auth?: SharedAuthKind;
}

export function customProviderWarnings(name: string, config: CustomProviderConfig): string[] {
  if (config.requires_openai_auth && config.env_key) {
    return [`provider "${name}": env_key "${config.env_key}" is ignored because requires_openai_auth = true (as in Codex); remove one of them.`];
  }
  return [];
}
