// AI SDK call options -> one ModelRequest, plus warnings for what it cannot carry.
// Settings a provider refuses (e.g. temperature on ChatGPT plans) are passed on so the
// provider fails with `unsupported_parameter`, as it does for every other caller.
import type { LanguageModelV2CallOptions, LanguageModelV2CallWarning, LanguageModelV2ToolChoice } from "@ai-sdk/provider";
import type { FunctionTool, ModelRequest, ToolChoice } from "../types.js";
import { parseProviderOptions } from "./options.js";
import { convertPrompt } from "./prompt.js";

/** Common settings the Responses API has no field for. */
const IGNORED_SETTINGS = ["topK", "presencePenalty", "frequencyPenalty", "seed", "stopSequences"] as const;

export function toModelRequest(modelId: string, options: LanguageModelV2CallOptions): { request: ModelRequest; warnings: LanguageModelV2CallWarning[] } {
  const { instructions, input, warnings } = convertPrompt(options.prompt);
  for (const setting of IGNORED_SETTINGS) {
    const value = options[setting];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) warnings.push({ type: "unsupported-setting", setting });
  }
  // The SDK always sends its user-agent; our transport sends its own, so only other headers are worth a warning.
  if (Object.keys(options.headers ?? {}).some((name) => name.toLowerCase() !== "user-agent")) {
    warnings.push({ type: "unsupported-setting", setting: "headers", details: "Pass headers to createCodexProvider({ headers }) instead." });
  }

  const tools: FunctionTool[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type === "function") {
      tools.push({ type: "function", name: tool.name, description: tool.description, parameters: tool.inputSchema as Record<string, unknown> });
    } else {
      warnings.push({ type: "unsupported-tool", tool });
    }
  }

  const codex = parseProviderOptions(options.providerOptions);
  const request: ModelRequest = { model: modelId, instructions, input };
  if (tools.length > 0) {
    request.tools = tools;
    if (options.toolChoice) request.toolChoice = toolChoice(options.toolChoice);
  }
  if (codex.reasoningEffort || codex.reasoningSummary) request.reasoning = { effort: codex.reasoningEffort, summary: codex.reasoningSummary };
  const format = options.responseFormat;
  if (codex.textVerbosity || format?.type === "json") {
    request.text = { verbosity: codex.textVerbosity };
    if (format?.type === "json") {
      // Not strict: strict mode demands every property be required, which SDK schemas with
      // optional fields do not meet (the SDK validates the result against the schema anyway).
      request.text.format = format.schema
        ? { type: "json_schema", name: format.name ?? "response", description: format.description, schema: format.schema as Record<string, unknown>, strict: false }
        : { type: "json_object" };
    }
  }
  if (options.maxOutputTokens !== undefined) request.maxOutputTokens = options.maxOutputTokens;
  if (options.temperature !== undefined) request.temperature = options.temperature;
  if (options.topP !== undefined) request.topP = options.topP;
  return { request, warnings };
}

function toolChoice(choice: LanguageModelV2ToolChoice): ToolChoice {
  return choice.type === "tool" ? { type: "function", name: choice.toolName } : choice.type;
}
