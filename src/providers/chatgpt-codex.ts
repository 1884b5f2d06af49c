// Provider `chatgpt-codex` (EXPERIMENTAL): the ChatGPT backend's Codex endpoint,
// `POST {CODEX_PROVIDER_CHATGPT_URL}/codex/responses` (docs/protocol.md#codex-headers to
// docs/protocol.md#codex-errors). OpenAI offers no stability contract for third-party use of this endpoint,
// so the provider says so through the caller's onNotice hook.
import { randomUUID } from "node:crypto";
import { codexAuthSource } from "../auth/codex/auth-source.js";
import { codexHeaders } from "../auth/codex/headers.js";
import type { AuthSource } from "../transport/auth-source.js";
import { ProviderError, type ErrorCode } from "../errors.js";
import { getJson } from "../transport/json-request.js";
import { applyResponsesPolicy, buildResponsesBody, type ResponsesPolicy } from "../wire/responses-request.js";
import { ResponsesEventMapper } from "../wire/responses-events.js";
import type { CallOptions, MapperContext } from "../transport/response-stream.js";
import type { ModelInfo, ModelRequest, RateLimitSnapshot, StreamEvent } from "../types.js";
import { withClientVersion } from "./catalog-client-version.js";
import { LastUsageFile, parseWhamUsage, type CodexUsageReport } from "./chatgpt-codex-usage.js";
import { providerFromSpec, type Provider, type ProviderContext } from "./provider.js";

export const CODEX_DEFAULT_CHATGPT_URL = "https://chatgpt.com/backend-api";
/** Used only when neither flag, env nor config names a model. */
export const CODEX_DEFAULT_MODEL = "gpt-5.5";
/**
 * The backend answers `Instructions are required` without them (docs/protocol.md#codex-body); sent when the
 * request has none.
 */
export const CODEX_DEFAULT_INSTRUCTIONS = "You are a helpful assistant.";
/**
 * Shown, with a warning, only when the catalog cannot be reached. A 2026 snapshot of
 * what the backend served; it goes stale, which is why the live catalog comes first.
 */
export const FALLBACK_MODELS: readonly ModelInfo[] = [
  { id: "gpt-5.5", displayName: "GPT-5.5" },
  { id: "gpt-5.4", displayName: "GPT-5.4" },
  { id: "gpt-5.4-mini", displayName: "GPT-5.4 mini" },
  { id: "gpt-5.3-codex", displayName: "GPT-5.3 Codex" },
];

const UNSUPPORTED = 'the ChatGPT Codex backend answers "Unsupported parameter"';
const STATELESS = "the backend stores nothing (store:false); send the whole history, replaying result.output items as {type:\"raw\"} inputs";

/**
 * docs/protocol.md#codex-body and docs/protocol.md#codex-rejected-fields: what the backend forces and what it
 * refuses, checked before any network call.
 */
export const CODEX_POLICY: ResponsesPolicy = {
  rejects: {
    max_output_tokens: `${UNSUPPORTED}; the model decides the answer length`,
    max_completion_tokens: UNSUPPORTED,
    temperature: `${UNSUPPORTED}; sampling is fixed for these models`,
    top_p: `${UNSUPPORTED}; sampling is fixed for these models`,
    prompt_cache_retention: UNSUPPORTED,
    // Stripped before every backend call by CLIProxyAPI (codex_executor.go) as well.
    safety_identifier: UNSUPPORTED,
    stream_options: UNSUPPORTED,
    previous_response_id: STATELESS,
  },
  forced: { store: false },
  // Reasoning comes back encrypted so the next turn can carry it (stateless multi-turn).
  include: ["reasoning.encrypted_content"],
  defaultInstructions: CODEX_DEFAULT_INSTRUCTIONS,
  // `system`-role items are rejected; developer messages are the equivalent.
  systemAsDeveloper: true,
  // `input` must be an item array (docs/protocol.md#codex-body).
  inputAsItems: true,
};

/** Failures that mean "the endpoint is not answering usefully", after which a fallback is shown. */
const UNREACHABLE = new Set<ErrorCode>(["network_error", "server_error", "server_overloaded", "idle_timeout", "protocol_error", "model_not_found", "rate_limited"]);

export interface CodexProvider extends Provider {
  /** Current plan usage: `wham/usage`, else the `x-codex-*` headers of the last response (any process). */
  usage(options?: Pick<CallOptions, "signal">): Promise<CodexUsageReport>;
}

/** Told through onNotice each time the provider is created; the CLI shows it once per process. */
function experimentalNotice(context: ProviderContext): void {
  context.transport.onNotice?.({
    code: "experimental_provider",
    provider: "chatgpt-codex",
    message:
      "chatgpt-codex is EXPERIMENTAL (ChatGPT-backed): it uses ChatGPT's Codex backend, which has no stability contract for other clients and may change or break without notice.",
  });
}

/** `…/backend-api`, `…/backend-api/codex` and `…/backend-api/codex/responses` all name the same backend. */
export function codexBackendRoot(base: string): string {
  return base.replace(/\/+$/, "").replace(/\/codex(?:\/responses)?$/, "");
}

/** ModelRequest → backend body: instructions never empty, reasoning summary on, cache key = session id. */
export function codexRequestBody(request: ModelRequest, model: string, sessionId: string): Record<string, unknown> {
  const reasoning = request.reasoning?.effort && !request.reasoning.summary ? { ...request.reasoning, summary: "auto" as const } : request.reasoning;
  return buildResponsesBody(
    { ...request, instructions: request.instructions || undefined, promptCacheKey: request.promptCacheKey ?? sessionId, reasoning },
    CODEX_POLICY,
    model,
  );
}

/** `{models:[{slug, display_name, visibility, priority}]}` → listed models in the backend's order. */
export function parseCodexModels(body: unknown): ModelInfo[] {
  const models = (body as { models?: unknown } | undefined)?.models;
  if (!Array.isArray(models)) throw new ProviderError("protocol_error", "The model catalog had no `models` array.");
  const rank = (m: Record<string, unknown>) => (typeof m.priority === "number" ? m.priority : Number.MAX_SAFE_INTEGER);
  return (models as Record<string, unknown>[])
    .filter((m) => typeof m?.slug === "string" && (m.visibility === undefined || m.visibility === "list"))
    .sort((a, b) => rank(a) - rank(b))
    .map((m) => ({ id: m.slug as string, displayName: typeof m.display_name === "string" ? m.display_name : undefined }));
}

/** The same auth for JSON endpoints, which must not ask for an event stream. */
function acceptingJson(auth: AuthSource): AuthSource {
  return {
    description: auth.description,
    headers: async (signal) => ({ ...(await auth.headers(signal)), accept: "application/json" }),
    unauthorized: (signal, rejected) => auth.unauthorized(signal, rejected),
  };
}

/**
 * The Responses mapper, saving the rate-limit snapshot (headers merged with in-band events)
 * of each finished response. A subclass, not an object literal with a `result` getter:
 * such a literal gets a hidden class of its own per call, which keeps the call's objects
 * alive until a full GC (see src/server/request-handler.ts).
 */
class RecordingMapper extends ResponsesEventMapper {
  constructor(
    context: MapperContext,
    private readonly record: (snapshot: RateLimitSnapshot | undefined) => void,
  ) {
    super(context);
  }

  override map(event: Record<string, unknown>, out: StreamEvent[]): void {
    super.map(event, out);
    if (this.result) this.record(this.result.rateLimits);
  }
}

function lowerCaseKeys(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

export function chatgptCodexProvider(context: ProviderContext): CodexProvider {
  experimentalNotice(context);
  const { env, transport } = context;
  const root = codexBackendRoot(context.options.baseUrl ?? env.CODEX_PROVIDER_CHATGPT_URL ?? CODEX_DEFAULT_CHATGPT_URL);
  const extra = lowerCaseKeys(context.options.headers);
  // Stable for the provider's life, so every turn of a conversation hits the same
  // prompt cache; a caller can pin it across processes with a `session-id` header.
  const sessionId = extra["session-id"] ?? randomUUID();
  const auth = codexAuthSource({
    env,
    profile: context.profile,
    store: context.store,
    headersFor: (identity) => codexHeaders(identity, { sessionId, extra }),
  });
  const jsonAuth = acceptingJson(auth);
  const warn = (message: string) => transport.onNotice?.({ code: "warning", message });
  const lastUsage = new LastUsageFile(context.home, context.profile);
  // Catalog and usage are looked at, not worked with: one retry at most, then a fallback.
  const jsonRetry = { ...transport.retry, maxRetries: Math.min(1, transport.retry?.maxRetries ?? 1) };
  const getOptions = (signal?: AbortSignal) => ({ auth: jsonAuth, signal, clock: transport.clock, retry: jsonRetry, onNotice: transport.onNotice });

  const provider = providerFromSpec(
    {
      id: "chatgpt-codex",
      experimental: true,
      defaultModel: context.options.model ?? CODEX_DEFAULT_MODEL,
      url: `${root}/codex/responses`,
      auth,
      headers: {},
      buildBody: (request, model) => codexRequestBody(request, model, sessionId),
      prepareBody: (body) =>
        applyResponsesPolicy({ ...body, instructions: body.instructions || undefined, prompt_cache_key: body.prompt_cache_key ?? sessionId }, CODEX_POLICY),
      // A body whose prompt_cache_key names another conversation (set by the caller, or by a
      // client of the local server) gets the matching session headers, so cache affinity follows it.
      headersForBody: (body) =>
        typeof body.prompt_cache_key === "string" && body.prompt_cache_key !== sessionId
          ? { "session-id": body.prompt_cache_key, "x-client-request-id": body.prompt_cache_key }
          : undefined,
      createMapper: (mapperContext) =>
        new RecordingMapper(mapperContext, (snapshot) =>
          lastUsage.save(snapshot, (error) => warn(`Could not save the last usage snapshot to ${lastUsage.path}: ${String(error)}`)),
        ),
      async listModels(signal) {
        try {
          const { body } = await getJson(withClientVersion(`${root}/codex/models`), getOptions(signal));
          return parseCodexModels(body);
        } catch (error) {
          if (!(error instanceof ProviderError) || !UNREACHABLE.has(error.code)) throw error;
          warn(`The chatgpt-codex model catalog could not be read (${error.message}); showing the built-in list, which may be out of date.`);
          return FALLBACK_MODELS.map((model) => ({ ...model }));
        }
      },
    },
    transport,
  );

  async function usage(options: Pick<CallOptions, "signal"> = {}): Promise<CodexUsageReport> {
    try {
      const { body } = await getJson(`${root}/wham/usage`, getOptions(options.signal));
      return { source: "usage-endpoint", observedAt: new Date().toISOString(), rateLimits: parseWhamUsage(body) };
    } catch (error) {
      if (!(error instanceof ProviderError) || !UNREACHABLE.has(error.code)) throw error;
      const saved = await lastUsage.load();
      if (!saved) throw error;
      return { source: "last-response", ...saved, fallbackReason: error.message };
    }
  }

  return Object.assign(provider, { usage });
}
