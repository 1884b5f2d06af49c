// AI SDK call options -> one ModelRequest, plus warnings for what it cannot carry.
// Settings a provider refuses (e.g. temperature on ChatGPT plans) are passed on so the
// provider fails with `unsupported_parameter`, as it does for every other caller.
import type { LanguageModelV4CallOptions, LanguageModelV4ToolChoice, SharedV4Warning } from "./spec-v4.js";
import { REASONING_EFFORTS } from "../config/settings.js";
import type { FunctionTool, ModelRequest, ReasoningEffort, ToolChoice } from "../types.js";
import { parseProviderOptions } from "./options.js";
import { convertPrompt } from "./prompt.js";

/** Common settings the Responses API has no field for. */
const IGNORED_SETTINGS = ["topK", "presencePenalty", "frequencyPenalty", "seed", "stopSequences"] as const;

export function toModelRequest(modelId: string, options: LanguageModelV4CallOptions): { request: ModelRequest; warnings: SharedV4Warning[] } {
  const { instructions, input, warnings } = convertPrompt(options.prompt);
  for (const setting of IGNORED_SETTINGS) {
    const value = options[setting];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) warnings.push({ type: "unsupported", feature: setting });
  }
  // The SDK always sends its user-agent; our transport sends its own, so only other headers are worth a warning.
  if (Object.keys(options.headers ?? {}).some((name) => name.toLowerCase() !== "user-agent")) {
    warnings.push({ type: "unsupported", feature: "headers", details: "Pass headers to createCodexProvider({ headers }) instead." });
  }

  const tools: FunctionTool[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type === "function") {
      tools.push({ type: "function", name: tool.name, description: tool.description, parameters: tool.inputSchema as Record<string, unknown> });
    } else {
      warnings.push({ type: "unsupported", feature: `provider tool ${tool.id}`, details: "codex-provider sends function tools only." });
    }
  }

  const codex = parseProviderOptions(options.providerOptions);
  const request: ModelRequest = { model: modelId, instructions, input };
  if (tools.length > 0) {
    request.tools = tools;
    if (options.toolChoice) request.toolChoice = toolChoice(options.toolChoice);
  }
  const effort = codex.reasoningEffort ?? reasoningEffort(options.reasoning, warnings);
  if (effort || codex.reasoningSummary) request.reasoning = { effort, summary: codex.reasoningSummary };
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

/**
 * The SDK's portable `reasoning` setting as an effort; the provider option, when given,
 * wins (as in @ai-sdk/openai). `max` is above every effort the API has, so it is the highest.
 */
function reasoningEffort(reasoning: LanguageModelV4CallOptions["reasoning"], warnings: SharedV4Warning[]): ReasoningEffort | undefined {
  if (reasoning === undefined || reasoning === "provider-default") return undefined;
  if ((REASONING_EFFORTS as readonly string[]).includes(reasoning)) return reasoning as ReasoningEffort;
  const highest = REASONING_EFFORTS[REASONING_EFFORTS.length - 1];
  warnings.push({ type: "compatibility", feature: "reasoning", details: `reasoning "${reasoning}" is sent as effort "${highest}", the highest the API has.` });
  return highest;
}

function toolChoice(choice: LanguageModelV4ToolChoice): ToolChoice {
  return choice.type === "tool" ? { type: "function", name: choice.toolName } : choice.type;
}
