// The LanguageModelV4 specification (@ai-sdk/provider 4, which `ai@7` implements), for
// the parts this adapter reads and writes. Written here rather than imported: one
// @ai-sdk/provider install cannot type both specifications (4's copy of the V2 types is
// not assignable to the ai@5 ones: its JSON values became readonly), and an npm alias
// would leak into the published .d.ts. These are structural copies of
// @ai-sdk/provider 4.0.38 `dist/index.d.ts` (language-model/v4/*, shared/v4/*); a
// model built on them is accepted by ai@7 (test/ai-sdk/current-ai.test.ts).
import type { JSONObject, JSONSchema7, JSONValue } from "@ai-sdk/provider";

export type SharedV4ProviderOptions = Record<string, JSONObject>;
export type SharedV4ProviderMetadata = Record<string, JSONObject>;

export type SharedV4Warning =
  | { type: "unsupported"; feature: string; details?: string }
  | { type: "compatibility"; feature: string; details?: string }
  | { type: "deprecated"; setting: string; message: string }
  | { type: "other"; message: string };

export type SharedV4FileData =
  | { type: "data"; data: Uint8Array | string }
  | { type: "url"; url: URL; originalUrl?: string }
  | { type: "reference"; reference: Record<string, string> }
  | { type: "text"; text: string };

interface PartOptions {
  providerOptions?: SharedV4ProviderOptions;
}

interface LanguageModelV4TextPart extends PartOptions { type: "text"; text: string }
export interface LanguageModelV4ReasoningPart extends PartOptions { type: "reasoning"; text: string }
export interface LanguageModelV4FilePart extends PartOptions { type: "file"; filename?: string; data: SharedV4FileData; mediaType: string }
interface LanguageModelV4ToolCallPart extends PartOptions { type: "tool-call"; toolCallId: string; toolName: string; input: unknown; providerExecuted?: boolean }
interface LanguageModelV4ToolResultPart extends PartOptions { type: "tool-result"; toolCallId: string; toolName: string; output: LanguageModelV4ToolResultOutput }
/** Parts the adapter receives but has nothing to send for. */
interface OtherAssistantPart extends PartOptions {
  type: "custom" | "reasoning-file";
}

export type LanguageModelV4ToolResultOutput =
  | ({ type: "text" | "error-text"; value: string } & PartOptions)
  | ({ type: "json" | "error-json"; value: JSONValue } & PartOptions)
  | ({ type: "execution-denied"; reason?: string } & PartOptions)
  | {
      type: "content";
      value: Array<
        | ({ type: "text"; text: string } & PartOptions)
        | ({ type: "file"; data: SharedV4FileData; mediaType: string; filename?: string } & PartOptions)
        | ({ type: "custom" } & PartOptions)
      >;
    };

export type LanguageModelV4Prompt = Array<
  (
    | { role: "system"; content: string }
    | { role: "user"; content: Array<LanguageModelV4TextPart | LanguageModelV4FilePart> }
    | { role: "assistant"; content: Array<LanguageModelV4TextPart | LanguageModelV4FilePart | LanguageModelV4ReasoningPart | LanguageModelV4ToolCallPart | LanguageModelV4ToolResultPart | OtherAssistantPart> }
    | { role: "tool"; content: Array<LanguageModelV4ToolResultPart | ({ type: "tool-approval-response"; approvalId: string; approved: boolean; reason?: string } & PartOptions)> }
  ) &
    PartOptions
>;

type LanguageModelV4FunctionTool = { type: "function"; name: string; description?: string; inputSchema: JSONSchema7; strict?: boolean } & PartOptions;
type LanguageModelV4ProviderTool = { type: "provider"; id: `${string}.${string}`; name: string; args: Record<string, unknown> };
export type LanguageModelV4ToolChoice = { type: "auto" } | { type: "none" } | { type: "required" } | { type: "tool"; toolName: string };

export interface LanguageModelV4CallOptions {
  prompt: LanguageModelV4Prompt;
  maxOutputTokens?: number;
  temperature?: number;
  stopSequences?: string[];
  topP?: number;
  topK?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseFormat?: { type: "text" } | { type: "json"; schema?: JSONSchema7; name?: string; description?: string };
  seed?: number;
  tools?: Array<LanguageModelV4FunctionTool | LanguageModelV4ProviderTool>;
  toolChoice?: LanguageModelV4ToolChoice;
  includeRawChunks?: boolean;
  abortSignal?: AbortSignal;
  headers?: Record<string, string | undefined>;
  reasoning?: "provider-default" | "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";
  providerOptions?: SharedV4ProviderOptions;
}

export interface LanguageModelV4FinishReason {
  unified: "stop" | "length" | "content-filter" | "tool-calls" | "error" | "interrupted" | "other";
  raw: string | undefined;
}

export interface LanguageModelV4Usage {
  inputTokens: { total: number | undefined; noCache: number | undefined; cacheRead: number | undefined; cacheWrite: number | undefined };
  outputTokens: { total: number | undefined; text: number | undefined; reasoning: number | undefined };
  raw?: JSONObject;
}

export interface LanguageModelV4ResponseMetadata {
  id?: string;
  timestamp?: Date;
  modelId?: string;
}

type Metadata = { providerMetadata?: SharedV4ProviderMetadata };
export type LanguageModelV4Text = { type: "text"; text: string } & Metadata;
export type LanguageModelV4Reasoning = { type: "reasoning"; text: string } & Metadata;
type LanguageModelV4ToolCall = { type: "tool-call"; toolCallId: string; toolName: string; input: string; providerExecuted?: boolean; dynamic?: boolean } & Metadata;
type LanguageModelV4Source = { type: "source"; sourceType: "url"; id: string; url: string; title?: string } & Metadata;

/** The content this adapter produces (the specification has more kinds). */
export type LanguageModelV4Content = LanguageModelV4Text | LanguageModelV4Reasoning | LanguageModelV4ToolCall | LanguageModelV4Source;

/** The stream parts this adapter sends (the specification has more kinds). */
export type LanguageModelV4StreamPart =
  | ({ type: "text-start" | "text-end" | "reasoning-start" | "reasoning-end"; id: string } & Metadata)
  | ({ type: "text-delta" | "reasoning-delta"; id: string; delta: string } & Metadata)
  | ({ type: "tool-input-start"; id: string; toolName: string; inputEncoding?: "json" | "text"; providerExecuted?: boolean; dynamic?: boolean; title?: string } & Metadata)
  | ({ type: "tool-input-delta"; id: string; delta: string } & Metadata)
  | ({ type: "tool-input-end"; id: string } & Metadata)
  | LanguageModelV4ToolCall
  | LanguageModelV4Source
  | { type: "stream-start"; warnings: SharedV4Warning[] }
  | ({ type: "response-metadata" } & LanguageModelV4ResponseMetadata)
  | ({ type: "finish"; usage: LanguageModelV4Usage; finishReason: LanguageModelV4FinishReason } & Metadata)
  | { type: "raw"; rawValue: unknown }
  | { type: "error"; error: unknown };

export interface LanguageModelV4GenerateResult {
  content: LanguageModelV4Content[];
  finishReason: LanguageModelV4FinishReason;
  usage: LanguageModelV4Usage;
  providerMetadata?: SharedV4ProviderMetadata;
  response?: LanguageModelV4ResponseMetadata;
  warnings: SharedV4Warning[];
}

export interface LanguageModelV4StreamResult {
  stream: ReadableStream<LanguageModelV4StreamPart>;
}

export interface LanguageModelV4 {
  readonly specificationVersion: "v4";
  readonly provider: string;
  readonly modelId: string;
  supportedUrls: PromiseLike<Record<string, RegExp[]>> | Record<string, RegExp[]>;
  doGenerate(options: LanguageModelV4CallOptions): PromiseLike<LanguageModelV4GenerateResult>;
  doStream(options: LanguageModelV4CallOptions): PromiseLike<LanguageModelV4StreamResult>;
}

/** The provider shape ai@7 recognises (`asProviderV4` keeps one whose version is v4). */
export interface ProviderV4 {
  readonly specificationVersion: "v4";
  languageModel(modelId: string): LanguageModelV4;
  embeddingModel(modelId: string): never;
  imageModel(modelId: string): never;
}
