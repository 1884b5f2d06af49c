// Provider `openai`: Platform API key against /v1/responses (docs/protocol.md#platform-api-key).
import type { AuthSource } from "../transport/auth-source.js";
import { ProviderError } from "../errors.js";
import type { ModelInfo } from "../types.js";
import { getJson } from "../transport/json-request.js";
import { applyResponsesPolicy, buildResponsesBody, PLATFORM_POLICY } from "../wire/responses-request.js";
import { ResponsesEventMapper } from "../wire/responses-events.js";
import type { Env } from "../config/paths.js";
import { joinUrl, type ProviderSpec } from "./provider.js";

const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** Used only when neither flag, env nor config names a model. */
export const OPENAI_DEFAULT_MODEL = "gpt-5.5";

export function platformBaseUrl(env: Env, override?: string): string {
  return override ?? env.CODEX_PROVIDER_API_URL ?? env.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL;
}

/** `OpenAI-Organization` / `OpenAI-Project` from env, as Codex does. */
export function platformHeaders(env: Env): Record<string, string> {
  const headers: Record<string, string> = {};
  if (env.OPENAI_ORGANIZATION) headers["openai-organization"] = env.OPENAI_ORGANIZATION;
  if (env.OPENAI_PROJECT) headers["openai-project"] = env.OPENAI_PROJECT;
  return headers;
}

export function parsePlatformModels(body: unknown): ModelInfo[] {
  const data = (body as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw new ProviderError("protocol_error", "The model list had no `data` array.");
  return data
    .filter((m): m is { id: string; owned_by?: string } => typeof m?.id === "string")
    .map((m) => ({ id: m.id, ownedBy: typeof m.owned_by === "string" ? m.owned_by : undefined }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

export interface OpenAISpecOptions {
  baseUrl: string;
  auth: AuthSource;
  headers: Record<string, string>;
  defaultModel?: string;
}

export function openaiSpec(options: OpenAISpecOptions): ProviderSpec {
  return {
    id: "openai",
    experimental: false,
    defaultModel: options.defaultModel ?? OPENAI_DEFAULT_MODEL,
    url: joinUrl(options.baseUrl, "responses"),
    auth: options.auth,
    headers: options.headers,
    buildBody: (request, model) => buildResponsesBody(request, PLATFORM_POLICY, model),
    prepareBody: (body) => applyResponsesPolicy(body, PLATFORM_POLICY),
    createMapper: (context) => new ResponsesEventMapper(context),
    async listModels(signal) {
      const { body } = await getJson(joinUrl(options.baseUrl, "models"), { auth: options.auth, headers: options.headers, signal });
      return parsePlatformModels(body);
    },
  };
}
