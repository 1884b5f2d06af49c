// Vercel AI SDK adapter for `ai@5` (@ai-sdk/provider 2): models implement LanguageModelV2,
// the only version ai@5 accepts. For the current `ai`, import `codex-provider/ai-sdk`.
import type { LanguageModelV2, ProviderV2 } from "@ai-sdk/provider";
import type { CreateProviderOptions } from "../providers/registry.js";
import { modelFactory } from "./language-model.js";
import { CodexLanguageModelV2 } from "./v2-model.js";

export type { CodexProviderOptions } from "./options.js";

export interface AiSdkProviderV2 extends ProviderV2 {
  (modelId: string): LanguageModelV2;
  languageModel(modelId: string): LanguageModelV2;
}

/** An `ai@5` provider over `createProvider(options)`: `generateText({ model: codex("gpt-5.4"), ... })`. */
export function createCodexProvider(options: CreateProviderOptions = {}): AiSdkProviderV2 {
  const factory = modelFactory(options);
  const languageModel = (modelId: string): LanguageModelV2 => new CodexLanguageModelV2(factory.languageModel(modelId));
  return Object.assign(languageModel, {
    languageModel,
    textEmbeddingModel: factory.notOffered("embedding"),
    imageModel: factory.notOffered("image"),
  });
}
