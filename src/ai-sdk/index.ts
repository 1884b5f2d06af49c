// Vercel AI SDK adapter for the current AI SDK (`ai@7`, @ai-sdk/provider 4): its models
// implement LanguageModelV4, so the SDK calls them without a compatibility layer. `ai@5`
// takes only LanguageModelV2 models: its entry point is `codex-provider/ai-sdk/v2` (v2.ts).
// Only types come from @ai-sdk/provider, so using the adapter adds no runtime dependency.
import type { LanguageModelV4, ProviderV4 } from "./spec-v4.js";
import type { CreateProviderOptions } from "../providers/registry.js";
import { modelFactory } from "./language-model.js";

export type { CodexProviderOptions } from "./options.js";

export interface AiSdkProvider extends ProviderV4 {
  (modelId: string): LanguageModelV4;
  languageModel(modelId: string): LanguageModelV4;
}

/** An AI SDK provider over `createProvider(options)`: `generateText({ model: codex("gpt-5.4"), ... })`. */
export function createCodexProvider(options: CreateProviderOptions = {}): AiSdkProvider {
  const { languageModel, notOffered } = modelFactory(options);
  return Object.assign((modelId: string) => languageModel(modelId), {
    specificationVersion: "v4" as const,
    languageModel,
    embeddingModel: notOffered("embedding"),
    imageModel: notOffered("image"),
  });
}
