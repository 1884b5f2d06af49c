// createProvider: picks the provider by id and wires its auth, endpoints and transport.
import { StaticAuthSource, type AuthSource } from "../auth/source.js";
import { stateHome, type Env } from "../config/paths.js";
import { ProviderError } from "../errors.js";
import type { TransportOptions } from "../transport/response-stream.js";
import { openaiSpec, platformBaseUrl, platformHeaders } from "./openai.js";
import { providerFromSpec, type Provider } from "./provider.js";

export const BUILTIN_PROVIDERS = ["openai", "chatgpt", "chatgpt-codex"] as const;

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
}

/** An AuthSource that explains how to log in instead of sending an anonymous request. */
export class MissingCredentialAuthSource implements AuthSource {
  constructor(
    readonly description: string,
    private readonly message: string,
    private readonly hint: string,
  ) {}
  async headers(): Promise<Record<string, string>> {
    throw new ProviderError("login_required", this.message, { hint: this.hint });
  }
  async unauthorized(): Promise<boolean> {
    return false;
  }
}

function openaiAuth(options: CreateProviderOptions, env: Env): AuthSource {
  const key = options.apiKey ?? env.OPENAI_API_KEY;
  if (key) return new StaticAuthSource(key, options.apiKey ? "API key (option)" : "API key (OPENAI_API_KEY)");
  return new MissingCredentialAuthSource(
    "no API key",
    "No OpenAI API key found.",
    "Set OPENAI_API_KEY, or run `codex-provider login --provider openai --with-api-key` and paste the key on stdin.",
  );
}

export function createProvider(options: CreateProviderOptions = {}): Provider {
  const env = options.env ?? process.env;
  const id = options.provider ?? "openai";
  void stateHome(env);
  switch (id) {
    case "openai":
      return providerFromSpec(
        openaiSpec({
          baseUrl: platformBaseUrl(env, options.baseUrl),
          auth: openaiAuth(options, env),
          headers: { ...platformHeaders(env), ...options.headers },
          defaultModel: options.model,
        }),
        options,
      );
    default:
      throw new ProviderError("config_error", `Unknown provider "${id}". Known providers: ${BUILTIN_PROVIDERS.join(", ")}.`);
  }
}
