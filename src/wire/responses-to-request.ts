// A Responses body -> our ModelRequest, for providers that cannot take a Responses
// body as is (custom providers with `wire_api = "chat"`). Input items travel as raw
// items, which the Chat request builder already translates; function tools map
// one-to-one. Hosted and custom tools and Responses-only bookkeeping (`include`,
// `client_metadata`, …) have no Chat counterpart: they are dropped and named, so
// Codex CLI still works against a Chat-only server without its apply_patch tool.
import { settled } from "../transport/deferred-json.js";
import type { FunctionTool, InputItem, ModelRequest, ReasoningEffort, ReasoningSummary, ToolChoice, Verbosity } from "../types.js";
import { toolsOf } from "./responses-request.js";
import { ServerError } from "./server-error.js";

type Json = Record<string, unknown>;

/** Fields that change what the request means and that Chat cannot express. */
const REFUSED = ["background", "conversation", "prompt", "top_logprobs"];
/** Fields read below; anything else is dropped and named. */
const MAPPED = new Set([
  "model", "input", "instructions", "tools", "tool_choice", "temperature", "top_p", "max_output_tokens", "parallel_tool_calls",
  "reasoning", "text", "metadata", "store", "prompt_cache_key", "service_tier", "previous_response_id", "stream", ...REFUSED,
]);

export interface TranslatedResponses {
  request: ModelRequest & { model: string };
  dropped: string[];
}

function refused(param: string): ServerError {
  return new ServerError(400, `'${param}' cannot be sent to this provider: it speaks Chat Completions, which has no equivalent.`, "unsupported_parameter", { param });
}

function number(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function inputItems(input: unknown): ModelRequest["input"] {
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) throw new ServerError(400, "Invalid type for 'input': expected a string or an array of input items.", "invalid_type", { param: "input" });
  // Easy input messages (`{role, content}`) carry no type; the Chat builder keys on it.
  return input.map((item: Json): InputItem => ({ type: "raw", item: item && item.type === undefined && item.role !== undefined ? { type: "message", ...item } : item }));
}

function toolChoice(value: unknown): ToolChoice | undefined {
  if (value === "auto" || value === "none" || value === "required") return value;
  const name = (value as Json | undefined)?.name;
  return (value as Json | undefined)?.type === "function" && typeof name === "string" ? { type: "function", name } : undefined;
}

/** `text.format` -> Chat's `response_format`. */
function responseFormat(format: Json | undefined): Json | undefined {
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_schema") return { type: "json_schema", json_schema: { name: format.name, schema: format.schema, strict: format.strict, description: format.description } };
  return { type: format.type };
}

export function responsesToModelRequest(body: Json, model: string): TranslatedResponses {
  for (const field of REFUSED) if (body[field] !== undefined && body[field] !== null) throw refused(field);
  const dropped = Object.keys(body).filter((field) => !MAPPED.has(field) && body[field] !== undefined);
  const tools: FunctionTool[] = [];
  for (const tool of toolsOf(body)) {
    if (tool?.type === "function" && typeof tool.name === "string") {
      tools.push({ type: "function", name: tool.name, description: text(tool.description), parameters: tool.parameters as Json | undefined, strict: typeof tool.strict === "boolean" ? tool.strict : null });
    } else {
      dropped.push(`tools[${String(tool?.type)}]`);
    }
  }
  const reasoning = (body.reasoning ?? {}) as { effort?: ReasoningEffort; summary?: ReasoningSummary };
  const textOptions = (body.text ?? {}) as { verbosity?: Verbosity; format?: Json };
  const format = responseFormat(textOptions.format);
  return {
    request: {
      model,
      input: inputItems(settled(body.input)),
      instructions: text(settled(body.instructions)),
      tools: tools.length ? tools : undefined,
      toolChoice: toolChoice(body.tool_choice),
      parallelToolCalls: typeof body.parallel_tool_calls === "boolean" ? body.parallel_tool_calls : undefined,
      temperature: number(body.temperature),
      topP: number(body.top_p),
      maxOutputTokens: number(body.max_output_tokens),
      reasoning: reasoning.effort || reasoning.summary ? reasoning : undefined,
      text: textOptions.verbosity ? { verbosity: textOptions.verbosity } : undefined,
      metadata: body.metadata as Record<string, string> | undefined,
      store: typeof body.store === "boolean" ? body.store : undefined,
      previousResponseId: text(body.previous_response_id),
      promptCacheKey: text(body.prompt_cache_key),
      serviceTier: text(body.service_tier),
      extraBody: format ? { response_format: format } : undefined,
    },
    dropped,
  };
}
