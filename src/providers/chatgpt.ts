// Provider `chatgpt`: Sign in with ChatGPT (SIWC) tokens against api.openai.com/v1
// (docs/protocol.md#sign-in-with-chatgpt). The plan rules of docs/protocol.md#siwc-inference are enforced
// here, before any network call.
import type { OAuthCredential } from "../auth/credential.js";
import { OAuthAuthSource } from "../auth/oauth-source.js";
import { enablePlanUsageHint, loginCommand, PLAN_SCOPE, PROVIDER_ID, siwcIssuer } from "../auth/siwc/constants.js";
import { refreshCredential } from "../auth/siwc/tokens.js";
import { ProviderError } from "../errors.js";
import type { ModelInfo } from "../types.js";
import { settled } from "../transport/deferred-json.js";
import { getJson } from "../transport/json-request.js";
import { applyResponsesPolicy, buildResponsesBody, toolsOf, type ResponsesPolicy } from "../wire/responses-request.js";
import { ResponsesEventMapper } from "../wire/responses-events.js";
import { withClientVersion } from "./catalog-client-version.js";
import { OPENAI_DEFAULT_MODEL, platformBaseUrl } from "./openai.js";
import { joinUrl, providerFromSpec, type Provider, type ProviderContext } from "./provider.js";
import { DeferredAuthSource } from "./shared-auth.js";

const STATELESS = "ChatGPT plan requests keep no server state (store:false); send the full history in input instead";
const OMIT = "it must be omitted with ChatGPT plan usage (Sign in with ChatGPT)";

/** docs/protocol.md#siwc-inference "must be omitted", with the reason shown to the user. */
const SIWC_REJECTS: Record<string, string> = {
  background: "background responses need server-side storage, which ChatGPT plan usage does not allow",
  conversation: STATELESS,
  previous_response_id: STATELESS,
  max_output_tokens: `${OMIT}; the model decides the answer length`,
  max_tool_calls: OMIT,
  metadata: OMIT,
  moderation: OMIT,
  multi_agent: OMIT,
  prompt: `${OMIT}; send instructions and input directly`,
  prompt_cache_retention: OMIT,
  safety_identifier: OMIT,
  temperature: `${OMIT}; sampling is fixed for these models`,
  top_logprobs: OMIT,
  top_p: `${OMIT}; sampling is fixed for these models`,
  truncation: `${OMIT}; send a history that fits the context window`,
  user: OMIT,
  programmatic_tool_calling: OMIT,
};

export const SIWC_POLICY: ResponsesPolicy = {
  rejects: SIWC_REJECTS,
  forced: { store: false },
  // Stateless multi-turn: reasoning comes back encrypted so it can be replayed (docs/protocol.md#platform-api-key).
  include: ["reasoning.encrypted_content"],
  // docs/protocol.md#siwc-inference: explicit system-role items are rejected; developer messages are the equivalent.
  systemAsDeveloper: true,
  // docs/protocol.md#siwc-inference: `input` must be an item array.
  inputAsItems: true,
};

/**
 * docs/protocol.md#siwc-inference: hosted tools plan usage does not cover. Function, custom, namespace and
 * web search tools pass.
 */
const UNSUPPORTED_TOOLS = new Set(["image_generation", "file_search", "code_interpreter", "computer", "computer_use", "computer_use_preview", "mcp", "tool_search"]);

function rejectUnsupportedTools(body: Record<string, unknown>): Record<string, unknown> {
  const tools = toolsOf(body);
  const index = tools.findIndex((tool) => UNSUPPORTED_TOOLS.has(String(tool?.type)));
  if (index >= 0) {
    throw new ProviderError("unsupported_parameter", `Tool type "${String(tools[index].type)}" is not supported with ChatGPT plan usage; remove it.`, {
      param: `tools[${index}]`,
    });
  }
  return body;
}

/** Tool types the SIWC preview does not take at the top level. */
const GROUPED_TOOL_TYPES = new Set(["function", "custom"]);

/**
 * The SIWC preview limitations page: "Group function/custom tools in namespaces or supply
 * them through `additional_tools` input items." Flat function and custom tools move into
 * one `additional_tools` item (role `developer`, the only role the Responses reference
 * allows for it) at the head of `input`; namespaces and hosted tools stay in `tools`.
 * Runs after `rejectUnsupportedTools`, so a rejected `tools[i]` names the caller's index.
 */
function groupFlatTools(body: Record<string, unknown>): Record<string, unknown> {
  const tools = toolsOf(body);
  const grouped = tools.filter((tool) => GROUPED_TOOL_TYPES.has(String(tool?.type)));
  if (grouped.length === 0) return body;
  const kept = tools.filter((tool) => !GROUPED_TOOL_TYPES.has(String(tool?.type)));
  const { tools: _tools, ...rest } = body;
  const given = settled(body.input);
  const input = Array.isArray(given) ? (given as unknown[]) : [];
  return { ...rest, ...(kept.length ? { tools: kept } : {}), input: [{ type: "additional_tools", role: "developer", tools: grouped }, ...input] };
}

/** A pass-through body under the SIWC rules (docs/protocol.md#siwc-inference). */
function prepareSiwcBody(body: Record<string, unknown>): Record<string, unknown> {
  return groupFlatTools(rejectUnsupportedTools(applyResponsesPolicy(body, SIWC_POLICY)));
}

/** `{models:[{slug, display_name, visibility}]}`: only entries meant for pickers (docs/protocol.md#siwc-inference). */
export function parseSiwcModels(body: unknown): ModelInfo[] {
  const models = (body as { models?: unknown })?.models;
  if (!Array.isArray(models)) throw new ProviderError("protocol_error", "The model list had no `models` array.");
  return models
    .filter((m): m is { slug: string; display_name?: unknown } => typeof m?.slug === "string" && m.visibility === "list")
    .map((m) => ({ id: m.slug, displayName: typeof m.display_name === "string" ? m.display_name : undefined }));
}

/** docs/protocol.md#siwc-refresh: SIWC requests carry only the bearer token; no account header is documented. */
function siwcHeaders(credential: OAuthCredential, profile: string): Record<string, string> {
  if (credential.planUsageEnabled === false) {
    throw new ProviderError("login_required", `Plan usage is disabled for this ChatGPT sign-in: the scope ${PLAN_SCOPE} was not granted, so model calls are refused.`, {
      hint: enablePlanUsageHint(profile),
    });
  }
  return { authorization: `Bearer ${credential.accessToken}` };
}

export function chatgptProvider(context: ProviderContext): Provider {
  const { profile } = context;
  const issuer = siwcIssuer(context.env);
  const command = loginCommand(profile);
  const baseUrl = platformBaseUrl(context.env, context.options.baseUrl);
  const headers = { ...context.options.headers };
  // createProvider is synchronous and the store module loads lazily: build the source on first use.
  const auth = new DeferredAuthSource(
    async () =>
      new OAuthAuthSource({
        store: await context.store(),
        profile,
        providerId: PROVIDER_ID,
        refresh: (credential) => refreshCredential(issuer, credential, command),
        headersFor: (credential) => siwcHeaders(credential, profile),
        loginCommand: command,
      }),
    `ChatGPT sign-in (profile ${profile})`,
  );
  return providerFromSpec(
    {
      id: PROVIDER_ID,
      experimental: false,
      defaultModel: context.options.model ?? OPENAI_DEFAULT_MODEL,
      url: joinUrl(baseUrl, "responses"),
      auth,
      headers,
      buildBody: (request, model) => groupFlatTools(rejectUnsupportedTools(buildResponsesBody(request, SIWC_POLICY, model))),
      prepareBody: prepareSiwcBody,
      createMapper: (mapperContext) => new ResponsesEventMapper(mapperContext),
      async listModels(signal) {
        const { body } = await getJson(withClientVersion(joinUrl(baseUrl, "models")), { auth, headers, signal });
        return parseSiwcModels(body);
      },
    },
    context.transport,
  );
}
