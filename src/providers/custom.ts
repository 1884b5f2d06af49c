// Custom providers from `[providers.NAME]`: any OpenAI-compatible server, speaking the
// Responses API or Chat Completions (`wire_api`), authenticated by an env variable
// (`env_key`), by the user's own OpenAI credential (`requires_openai_auth`,
// docs/protocol.md#codex-cli-client), or not at all (local servers such as Ollama).
import type { AuthSource } from "../transport/auth-source.js";
import { StaticAuthSource } from "../auth/static-source.js";
import { ProviderError } from "../errors.js";
import { registerSecret } from "../redact.js";
import { buildChatBody } from "../wire/chat-request.js";
import { ChatEventMapper } from "../wire/chat-events.js";
import { getJson } from "../transport/json-request.js";
import { applyResponsesPolicy, buildResponsesBody, PLATFORM_POLICY, type ResponsesPolicy } from "../wire/responses-request.js";
import { ResponsesEventMapper } from "../wire/responses-events.js";
import type { Env } from "../config/paths.js";
import { customProviderWarnings, type CustomProviderConfig, type SharedAuthKind } from "../config/providers.js";
import { parsePlatformModels } from "./openai.js";
import { joinUrl, providerFromSpec, type Provider, type ProviderContext, type ProviderSpec } from "./provider.js";
import { sharedOpenAIAuth } from "./shared-auth.js";

/**
 * The body rules when the user's own OpenAI credential is attached: what Codex sends to
 * every custom provider (docs/protocol.md#codex-cli-client) — stateless, encrypted reasoning for replay, developer
 * rather than system messages — which also satisfies ChatGPT-plan tokens (docs/protocol.md#siwc-inference).
 */
const SHARED_AUTH_POLICY: ResponsesPolicy = {
  rejects: {},
  forced: { store: false },
  include: ["reasoning.encrypted_content"],
  systemAsDeveloper: true,
};

/** Header names whose values are treated as secrets (masked in output, redacted in errors). */
export const SECRET_HEADER = /auth|key|token|secret|cookie|session|password|signature/i;

function withQuery(url: string, query: Record<string, string> | undefined): string {
  if (!query || Object.keys(query).length === 0) return url;
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(query)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

function requestHeaders(config: CustomProviderConfig, env: Env, extra: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    if (SECRET_HEADER.test(name)) registerSecret(value);
    headers[name.toLowerCase()] = value;
  }
  for (const [name, variable] of Object.entries(config.env_headers ?? {})) {
    const value = env[variable];
    if (!value) continue;
    registerSecret(value);
    headers[name.toLowerCase()] = value;
  }
  return { ...headers, ...extra };
}

/** The env_key credential, or an error naming the variable when it is unset (checked per request). */
function envKeyAuth(name: string, variable: string, config: CustomProviderConfig, env: Env): AuthSource {
  const value = env[variable];
  if (value) return new StaticAuthSource(value, `env ${variable}`);
  const error = () =>
    new ProviderError("login_required", `Missing environment variable: ${variable} (the key for provider "${name}").`, {
      hint: config.env_key_instructions ?? `export ${variable}=<your key for ${config.base_url}>`,
    });
  return {
    description: `env ${variable} (unset)`,
    headers: () => Promise.reject(error()),
    unauthorized: async () => false,
  };
}

const NO_HEADERS: Record<string, string> = {};
const NO_AUTH: AuthSource = { description: "no credential", headers: async () => NO_HEADERS, currentHeaders: () => NO_HEADERS, unauthorized: async () => false };

export function customProvider(
  name: string,
  config: CustomProviderConfig,
  context: ProviderContext,
  builtinAuth: (kind: SharedAuthKind) => AuthSource,
): Provider {
  const { env, transport } = context;
  for (const message of customProviderWarnings(name, config)) transport.onNotice?.({ code: "warning", message });
  if (config.experimental) transport.onNotice?.({ code: "experimental_provider", provider: name, message: `provider "${name}" is marked experimental.` });

  const auth = config.requires_openai_auth
    ? sharedOpenAIAuth({
        providerName: name,
        kind: config.auth,
        env,
        profile: context.profile,
        apiKeyOption: context.options.apiKey,
        store: context.store,
        builtin: builtinAuth,
        onNotice: transport.onNotice,
      })
    : config.env_key
      ? envKeyAuth(name, config.env_key, config, env)
      : NO_AUTH;
  const chat = config.wire_api === "chat";
  const policy = config.requires_openai_auth ? SHARED_AUTH_POLICY : PLATFORM_POLICY;
  const headers = requestHeaders(config, env, context.options.headers);
  const spec: ProviderSpec = {
    id: name,
    experimental: config.experimental ?? false,
    defaultModel: context.options.model ?? config.models?.[0],
    url: withQuery(joinUrl(config.base_url, chat ? "chat/completions" : "responses"), config.query_params),
    auth,
    headers,
    buildBody: (request, model) => (chat ? buildChatBody(request, model) : buildResponsesBody(request, policy, model)),
    // Responses bodies from other clients can be forwarded only to a Responses server.
    prepareBody: chat ? undefined : (body) => applyResponsesPolicy(body, policy),
    createMapper: (mapperContext) => (chat ? new ChatEventMapper(mapperContext) : new ResponsesEventMapper(mapperContext)),
    async listModels(signal) {
      if (config.models?.length) return config.models.map((id) => ({ id }));
      const url = withQuery(joinUrl(config.base_url, "models"), config.query_params);
      const { body } = await getJson(url, { auth, headers, signal, retry: transport.retry });
      return parsePlatformModels(body);
    },
  };
  return providerFromSpec(spec, transport);
}
