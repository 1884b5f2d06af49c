// The adapter's model: a LanguageModelV4 (the specification of @ai-sdk/provider 4, which
// `ai@7` calls natively) over one codex-provider Provider. v2-model.ts presents the same
// model to `ai@5`. Failures stay ProviderErrors: our transport has already retried what
// is retryable, and the SDK retries only its own APICallError, so nothing is retried twice.
import type { LanguageModelV4, LanguageModelV4CallOptions, LanguageModelV4GenerateResult, LanguageModelV4StreamPart, LanguageModelV4StreamResult, SharedV4Warning } from "./spec-v4.js";
import { ProviderError } from "../errors.js";
import type { Provider } from "../providers/provider.js";
import { createProvider, type CreateProviderOptions } from "../providers/registry.js";
import type { StreamEvent } from "../types.js";
import { ContentCollector } from "./content.js";
import { PROVIDER_KEY } from "./options.js";
import { toModelRequest } from "./request.js";
import { ERROR_FINISH, StreamPartMapper } from "./stream-parts.js";

export class CodexLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = "v4";
  // No URL is passed through: the SDK downloads images and we send data URLs, which every backend accepts.
  readonly supportedUrls = {};

  constructor(
    readonly modelId: string,
    readonly provider: string,
    private readonly upstream: Provider,
  ) {}

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { request, warnings } = toModelRequest(this.modelId, options);
    const mapper = new StreamPartMapper();
    const collected = new ContentCollector();
    for await (const event of this.upstream.stream(request, { signal: options.abortSignal })) {
      for (const part of mapper.map(event)) collected.add(part);
    }
    const { content, finishReason, usage, providerMetadata, response } = collected;
    return { content, finishReason, usage, providerMetadata, response, warnings };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { request, warnings } = toModelRequest(this.modelId, options);
    const events = this.upstream.stream(request, { rawEvents: options.includeRawChunks, signal: options.abortSignal })[Symbol.asyncIterator]();
    return { stream: partStream(events, warnings) };
  }
}

/** What both entry points build their provider from: the model factory and the refusals for other kinds. */
export function modelFactory(options: CreateProviderOptions): { languageModel: (modelId: string) => CodexLanguageModel; notOffered: (kind: string) => (modelId: string) => never } {
  const upstream = createProvider(options);
  const name = `${PROVIDER_KEY}.${upstream.id}`;
  return {
    languageModel: (modelId) => new CodexLanguageModel(modelId, name, upstream),
    notOffered: (kind) => (modelId) => {
      throw new ProviderError("model_not_found", `codex-provider offers language models only, not ${kind} models ("${modelId}").`);
    },
  };
}

function partStream(events: AsyncIterator<StreamEvent>, warnings: SharedV4Warning[]): ReadableStream<LanguageModelV4StreamPart> {
  const mapper = new StreamPartMapper();
  return new ReadableStream<LanguageModelV4StreamPart>({
    start(controller) {
      controller.enqueue({ type: "stream-start", warnings });
    },
    async pull(controller) {
      try {
        // Read until something is enqueued: a pull that enqueues nothing may not be called again.
        for (;;) {
          const step = await events.next();
          if (step.done) return controller.close();
          const parts = mapper.map(step.value);
          for (const part of parts) controller.enqueue(part);
          if (parts.length > 0) return;
        }
      } catch (error) {
        // The SDK expects failures as parts (streamText hands them to onError), then a finish.
        controller.enqueue({ type: "error", error });
        controller.enqueue(ERROR_FINISH);
        controller.close();
      }
    },
    async cancel() {
      // Closes the HTTP request.
      await events.return?.();
    },
  });
}
