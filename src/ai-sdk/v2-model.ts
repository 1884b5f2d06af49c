// The adapter's model as `ai@5` calls it: LanguageModelV2 in front of the LanguageModelV4
// one. The two specifications differ only at these edges (file data, tool definitions and
// tool-result media going in; finish reason, usage and warnings coming out), so the
// request building and part mapping exist once, in V4 shapes, and this module converts.
import type {
  LanguageModelV2,
  LanguageModelV2CallOptions,
  LanguageModelV2CallWarning,
  LanguageModelV2Content,
  LanguageModelV2DataContent,
  LanguageModelV2FinishReason,
  LanguageModelV2Prompt,
  LanguageModelV2StreamPart,
  LanguageModelV2ToolResultOutput,
  LanguageModelV2Usage,
  SharedV2ProviderMetadata,
} from "@ai-sdk/provider";
import type { CodexLanguageModel } from "./language-model.js";
import { PROVIDER_KEY } from "./options.js";
import type {
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4ToolResultOutput,
  LanguageModelV4Usage,
  SharedV4FileData,
  SharedV4Warning,
} from "./spec-v4.js";

export class CodexLanguageModelV2 implements LanguageModelV2 {
  readonly specificationVersion = "v2";
  readonly supportedUrls = {};

  constructor(private readonly model: CodexLanguageModel) {}

  get modelId(): string {
    return this.model.modelId;
  }

  get provider(): string {
    return this.model.provider;
  }

  async doGenerate(options: LanguageModelV2CallOptions) {
    const result = await this.model.doGenerate(toV4Options(options));
    return {
      // Text, reasoning, tool calls and sources have one shape in both versions; V4's metadata types are merely wider.
      content: result.content.map(toV2Content) as LanguageModelV2Content[],
      finishReason: toV2FinishReason(result.finishReason),
      usage: toV2Usage(result.usage),
      providerMetadata: result.providerMetadata as SharedV2ProviderMetadata | undefined,
      response: result.response,
      warnings: result.warnings.map((warning) => toV2Warning(warning, options)),
    };
  }

  async doStream(options: LanguageModelV2CallOptions) {
    const { stream } = await this.model.doStream(toV4Options(options));
    return {
      stream: stream.pipeThrough(
        new TransformStream<LanguageModelV4StreamPart, LanguageModelV2StreamPart>({
          transform(part, controller) {
            controller.enqueue(toV2Part(part, options));
          },
        }),
      ),
    };
  }
}

function toV2Part(part: LanguageModelV4StreamPart, options: LanguageModelV2CallOptions): LanguageModelV2StreamPart {
  switch (part.type) {
    case "stream-start":
      return { type: "stream-start", warnings: part.warnings.map((warning) => toV2Warning(warning, options)) };
    case "finish":
      return { ...part, finishReason: toV2FinishReason(part.finishReason), usage: toV2Usage(part.usage) } as LanguageModelV2StreamPart;
    case "tool-call":
      return toV2Content(part) as LanguageModelV2StreamPart;
    default:
      // Every other part the adapter sends has one shape in both versions.
      return part as LanguageModelV2StreamPart;
  }
}

/** V2 has no text encoding for tool input: a custom tool's call carries its free text as is. */
function toV2Content(content: LanguageModelV4Content): LanguageModelV4Content {
  if (content.type !== "tool-call" || content.providerMetadata?.[PROVIDER_KEY]?.kind !== "custom") return content;
  return { ...content, input: JSON.parse(content.input) as string };
}

function toV4Options(options: LanguageModelV2CallOptions): LanguageModelV4CallOptions {
  return {
    ...options,
    prompt: toV4Prompt(options.prompt),
    // V2's provider-defined tools are V4's provider tools; the adapter declines both with a warning.
    tools: options.tools?.map((tool) => (tool.type === "function" ? tool : { ...tool, type: "provider" })),
    providerOptions: options.providerOptions as LanguageModelV4CallOptions["providerOptions"],
  } as LanguageModelV4CallOptions;
}

function toV4Prompt(prompt: LanguageModelV2Prompt): LanguageModelV4Prompt {
  return prompt.map((message) => {
    switch (message.role) {
      case "system":
        return message;
      case "user":
      case "assistant":
        return { ...message, content: message.content.map((part) => (part.type === "file" ? { ...part, data: toV4FileData(part.data) } : part)) };
      case "tool":
        return { ...message, content: message.content.map((part) => ({ ...part, output: toV4ToolOutput(part.output) })) };
    }
  }) as LanguageModelV4Prompt;
}

function toV4FileData(data: LanguageModelV2DataContent): SharedV4FileData {
  return data instanceof URL ? { type: "url", url: data } : { type: "data", data };
}

function toV4ToolOutput(output: LanguageModelV2ToolResultOutput): LanguageModelV4ToolResultOutput {
  if (output.type !== "content") return output as LanguageModelV4ToolResultOutput;
  return {
    type: "content",
    value: output.value.map((part) =>
      part.type === "text" ? part : { type: "file", data: { type: "data", data: part.data }, mediaType: part.mediaType },
    ),
  };
}

function toV2FinishReason(reason: LanguageModelV4FinishReason): LanguageModelV2FinishReason {
  // `interrupted` is newer than V2; V2's nearest is `other`.
  return reason.unified === "interrupted" ? "other" : reason.unified;
}

function toV2Usage(usage: LanguageModelV4Usage): LanguageModelV2Usage {
  const { inputTokens, outputTokens } = usage;
  const totalTokens = inputTokens.total !== undefined && outputTokens.total !== undefined ? inputTokens.total + outputTokens.total : undefined;
  return { inputTokens: inputTokens.total, outputTokens: outputTokens.total, totalTokens, reasoningTokens: outputTokens.reasoning, cachedInputTokens: inputTokens.cacheRead };
}

function toV2Warning(warning: SharedV4Warning, options: LanguageModelV2CallOptions): LanguageModelV2CallWarning {
  switch (warning.type) {
    case "unsupported":
      // A feature named after a call option is that (given) setting; anything else, e.g. a tool, is described.
      if (warning.feature in options) return { type: "unsupported-setting", setting: warning.feature as keyof LanguageModelV2CallOptions, details: warning.details };
      return { type: "other", message: `${warning.feature} is not supported.${warning.details ? ` ${warning.details}` : ""}` };
    case "compatibility":
      return { type: "other", message: `${warning.feature}: ${warning.details ?? "used in a compatibility mode"}` };
    case "deprecated":
      return { type: "other", message: `${warning.setting} is deprecated. ${warning.message}` };
    case "other":
      return warning;
  }
}
