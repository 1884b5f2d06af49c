// Vercel AI SDK adapter: a LanguageModelV2 over any codex-provider credential. Only
// types come from @ai-sdk/provider, so using the adapter adds no runtime dependency.
// Failures stay ProviderErrors: our transport has already retried what is retryable,
// and the SDK retries only its own APICallError, so nothing is retried twice.
import type { LanguageModelV2, LanguageModelV2CallOptions, LanguageModelV2CallWarning, LanguageModelV2StreamPart, ProviderV2 } from "@ai-sdk/provider";
import { ProviderError } from "../errors.js";
import type { Provider } from "../providers/provider.js";
import { createProvider, type CreateProviderOptions } from "../providers/registry.js";
import type { StreamEvent } from "../types.js";
import { ContentCollector } from "./content.js";
import { PROVIDER_KEY } from "./options.js";
import { toModelRequest } from "./request.js";
import { StreamPartMapper, toUsage } from "./stream-parts.js";

export type { CodexProviderOptions } from "./options.js";

export interface AiSdkProvider extends ProviderV2 {
  (modelId: string): LanguageModelV2;
  languageModel(modelId: string): LanguageModelV2;
}

/** An AI SDK provider over `createProvider(options)`: `generateText({ model: codex("gpt-5.4"), ... })`. */
export function createCodexProvider(options: CreateProviderOptions = {}): AiSdkProvider {
  const upstream = createProvider(options);
  const name = `${PROVIDER_KEY}.${upstream.id}`;
  const languageModel = (modelId: string): LanguageModelV2 => new CodexLanguageModel(modelId, name, upstream);
  const notOffered = (kind: string) => (modelId: string): never => {
    throw new ProviderError("model_not_found", `codex-provider offers language models only, not ${kind} models ("${modelId}").`);
  };
  return Object.assign(languageModel, {
    languageModel,
    textEmbeddingModel: notOffered("embedding"),
    imageModel: notOffered("image"),
  });
}

class CodexLanguageModel implements LanguageModelV2 {
  readonly specificationVersion = "v2";
  // No URL is passed through: the SDK downloads images and we send data URLs, which every backend accepts.
  readonly supportedUrls = {};

  constructor(
    readonly modelId: string,
    readonly provider: string,
    private readonly upstream: Provider,
  ) {}

  async doGenerate(options: LanguageModelV2CallOptions) {
    const { request, warnings } = toModelRequest(this.modelId, options);
    const mapper = new StreamPartMapper();
    const collected = new ContentCollector();
    for await (const event of this.upstream.stream(request, { signal: options.abortSignal })) {
      for (const part of mapper.map(event)) collected.add(part);
    }
    const { content, finishReason, usage, providerMetadata, response } = collected;
    return { content, finishReason, usage, providerMetadata, response, warnings };
  }

  async doStream(options: LanguageModelV2CallOptions) {
    const { request, warnings } = toModelRequest(this.modelId, options);
    const events = this.upstream.stream(request, { rawEvents: options.includeRawChunks, signal: options.abortSignal })[Symbol.asyncIterator]();
    return { stream: partStream(events, warnings) };
  }
}

function partStream(events: AsyncIterator<StreamEvent>, warnings: LanguageModelV2CallWarning[]): ReadableStream<LanguageModelV2StreamPart> {
  const mapper = new StreamPartMapper();
  return new ReadableStream<LanguageModelV2StreamPart>({
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
        controller.enqueue({ type: "finish", finishReason: "error", usage: toUsage(undefined) });
        controller.close();
      }
    },
    async cancel() {
      // Closes the HTTP request.
      await events.return?.();
    },
  });
}
