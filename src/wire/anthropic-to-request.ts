// An Anthropic Messages request -> our ModelRequest (docs/protocol.md#anthropic-messages),
// so the provider's own request builder and policy make the Responses body. `system`
// becomes `instructions` (a system-role message, a system message in place); `tool_use` / `tool_result` blocks become function_call /
// function_call_output items with the same ids; images become input images.
//
// Fields with no Responses equivalent that do not change what an answer means
// (`top_k`, `metadata`, cache hints, unknown fields) are dropped and named in the
// response header; `stop_sequences`, server tools and documents are a 400, because
// ignoring them would answer a different question.
import type { ContentPart, FunctionTool, InputItem, ModelRequest, ReasoningEffort, ToolChoice } from "../types.js";
import { ServerError } from "./server-error.js";

type Json = Record<string, unknown>;

export interface MessagesCall {
  /** `model` is the client's name; the route maps it to an upstream model. */
  request: ModelRequest & { model: string };
  stream: boolean;
  /** Fields dropped up front (no Responses equivalent). */
  dropped: string[];
  /** Responses wire name -> the Anthropic name the client used, for naming later drops. */
  clientNames: Record<string, string>;
}

const KNOWN_FIELDS = new Set([
  "model", "messages", "system", "max_tokens", "stream", "tools", "tool_choice", "temperature", "top_p", "top_k",
  "stop_sequences", "metadata", "thinking", "output_config", "service_tier", "container", "mcp_servers", "context_management",
]);
/** Known fields that are dropped: sampling and bookkeeping with no Responses slot. */
const DROPPED_FIELDS = new Set(["top_k", "metadata", "service_tier", "context_management"]);

/** `output_config.effort` -> Responses `reasoning.effort` (Anthropic's `max` is our highest). */
const EFFORTS: Record<string, ReasoningEffort> = { low: "low", medium: "medium", high: "high", xhigh: "xhigh", max: "xhigh" };

function invalid(param: string, message: string): ServerError {
  return new ServerError(400, message, "invalid_value", { param });
}

function unsupported(param: string, why: string): ServerError {
  return new ServerError(400, `'${param}' is not supported by codex-provider's Messages endpoint: ${why}`, "unsupported_parameter", { param });
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function blocksOf(content: unknown, param: string): Json[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw invalid(param, `Invalid type for '${param}': expected a string or an array of content blocks.`);
  return content.map((block, index) => {
    if (!isObject(block)) throw invalid(`${param}[${index}]`, "A content block must be an object.");
    return block;
  });
}

function text(block: Json, param: string): string {
  if (typeof block.text !== "string") throw invalid(`${param}.text`, "A text block needs `text`.");
  return block.text;
}

function image(block: Json, param: string): ContentPart {
  const source = isObject(block.source) ? block.source : {};
  if (source.type === "base64" && typeof source.media_type === "string" && typeof source.data === "string") {
    return { type: "image", url: `data:${source.media_type};base64,${source.data}` };
  }
  if (source.type === "url" && typeof source.url === "string") return { type: "image", url: source.url };
  throw unsupported(`${param}.source`, "images are accepted as base64 or url sources.");
}

/** Only text survives the trip into a function_call_output: Responses outputs are strings. */
function toolResultText(content: unknown, param: string): string {
  if (!present(content)) return "";
  return blocksOf(content, param)
    .map((block, index) => {
      if (block.type === "text") return text(block, `${param}[${index}]`);
      throw unsupported(`${param}[${index}].type`, `tool results carry text only (got "${String(block.type)}").`);
    })
    .join("\n");
}

function userBlocks(content: unknown, param: string): InputItem[] {
  const results: InputItem[] = [];
  const parts: ContentPart[] = [];
  for (const [index, block] of blocksOf(content, param).entries()) {
    const at = `${param}[${index}]`;
    if (block.type === "text") parts.push({ type: "text", text: text(block, at) });
    else if (block.type === "image") parts.push(image(block, at));
    else if (block.type === "tool_result") {
      if (typeof block.tool_use_id !== "string") throw invalid(`${at}.tool_use_id`, "A tool_result block needs tool_use_id.");
      results.push({ type: "function_call_output", callId: block.tool_use_id, output: toolResultText(block.content, `${at}.content`) });
    } else throw unsupported(`${at}.type`, `user content blocks of type "${String(block.type)}" are not supported.`);
  }
  // Tool results answer the previous assistant turn, so they come before this turn's text.
  if (parts.length) results.push({ type: "message", role: "user", content: parts });
  return results;
}

function assistantBlocks(content: unknown, param: string): InputItem[] {
  const items: InputItem[] = [];
  for (const [index, block] of blocksOf(content, param).entries()) {
    const at = `${param}[${index}]`;
    if (block.type === "text") items.push({ type: "message", role: "assistant", content: text(block, at) });
    else if (block.type === "tool_use") {
      if (typeof block.id !== "string" || typeof block.name !== "string") throw invalid(at, "A tool_use block needs id and name.");
      items.push({ type: "function_call", callId: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    }
    // Earlier thinking cannot be replayed upstream (its reasoning is not ours to re-create); the answer stands without it.
    else if (block.type !== "thinking" && block.type !== "redacted_thinking") {
      throw unsupported(`${at}.type`, `assistant content blocks of type "${String(block.type)}" are not supported.`);
    }
  }
  return items;
}

function messagesToInput(messages: unknown): InputItem[] {
  if (!Array.isArray(messages) || messages.length === 0) throw invalid("messages", "'messages' must be a non-empty array.");
  return messages.flatMap((message: unknown, index) => {
    const param = `messages[${index}]`;
    if (!isObject(message)) throw invalid(param, "A message must be an object.");
    if (message.role === "user") return userBlocks(message.content, `${param}.content`);
    if (message.role === "assistant") return assistantBlocks(message.content, `${param}.content`);
    // A system message between turns (Claude Code sends them) stays where it is said.
    if (message.role === "system") return [{ type: "message", role: "system", content: systemText(message.content, `${param}.content`) }];
    throw invalid(`${param}.role`, `Invalid value for '${param}.role': ${JSON.stringify(message.role)}.`);
  });
}

function systemText(value: unknown, param: string): string {
  return blocksOf(value, param)
    .map((block, index) => {
      if (block.type !== "text") throw unsupported(`${param}[${index}].type`, "a system prompt takes text blocks.");
      return text(block, `${param}[${index}]`);
    })
    .join("\n\n");
}

function tools(value: unknown): FunctionTool[] | undefined {
  if (!present(value)) return undefined;
  if (!Array.isArray(value)) throw invalid("tools", "Invalid type for 'tools': expected an array.");
  return value.map((tool: unknown, index): FunctionTool => {
    if (!isObject(tool)) throw invalid(`tools[${index}]`, "A tool must be an object.");
    // Server tools (web_search_20250305, bash_20250124, …) name a `type`; client tools have none or "custom".
    if (present(tool.type) && tool.type !== "custom") throw unsupported(`tools[${index}].type`, `only client tools (with input_schema) are supported (got "${String(tool.type)}").`);
    if (typeof tool.name !== "string") throw invalid(`tools[${index}].name`, "A tool needs a name.");
    return {
      type: "function",
      name: tool.name,
      description: typeof tool.description === "string" ? tool.description : undefined,
      parameters: isObject(tool.input_schema) ? tool.input_schema : undefined,
      strict: typeof tool.strict === "boolean" ? tool.strict : null,
    };
  });
}

function toolChoice(value: unknown): { choice?: ToolChoice; parallel?: boolean } {
  if (!present(value)) return {};
  if (!isObject(value)) throw invalid("tool_choice", "Invalid type for 'tool_choice': expected an object.");
  const parallel = value.disable_parallel_tool_use === true ? false : undefined;
  switch (value.type) {
    case "auto":
      return { choice: "auto", parallel };
    case "any":
      return { choice: "required", parallel };
    case "none":
      return { choice: "none" };
    case "tool":
      if (typeof value.name !== "string") throw invalid("tool_choice.name", "tool_choice of type tool needs a name.");
      return { choice: { type: "function", name: value.name }, parallel };
    default:
      throw invalid("tool_choice.type", `Invalid value for 'tool_choice.type': ${JSON.stringify(value.type)}.`);
  }
}

function number(body: Json, field: string): number | undefined {
  const value = body[field];
  if (!present(value)) return undefined;
  if (typeof value !== "number") throw invalid(field, `Invalid type for '${field}': expected a number.`);
  return value;
}

/** `thinking` asks to see the model's reasoning: Responses gives it as a summary. */
function reasoning(body: Json): ModelRequest["reasoning"] {
  const thinking = isObject(body.thinking) ? body.thinking.type : undefined;
  const effortName = isObject(body.output_config) ? body.output_config.effort : undefined;
  const effort = typeof effortName === "string" ? EFFORTS[effortName] : undefined;
  if (present(effortName) && !effort) throw invalid("output_config.effort", `Invalid value for 'output_config.effort': ${JSON.stringify(effortName)}.`);
  const summary = thinking === "enabled" || thinking === "adaptive" ? "auto" : undefined;
  if (!effort && !summary) return undefined;
  return { ...(effort ? { effort } : {}), ...(summary ? { summary } : {}) };
}

function rejectMeaningful(body: Json): void {
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) throw unsupported("stop_sequences", "the Responses API has no stop sequences.");
  if (present(body.container)) throw unsupported("container", "code execution containers are not available.");
  if (Array.isArray(body.mcp_servers) && body.mcp_servers.length > 0) throw unsupported("mcp_servers", "remote MCP servers are not available.");
  if (isObject(body.output_config) && present(body.output_config.format)) throw unsupported("output_config.format", "use /v1/responses with text.format for structured output.");
}

export function messagesToModelRequest(body: Json): MessagesCall {
  const model = body.model;
  if (typeof model !== "string" || !model) throw invalid("model", "Missing required parameter: 'model'.");
  rejectMeaningful(body);
  const { choice, parallel } = toolChoice(body.tool_choice);
  const request: MessagesCall["request"] = {
    model,
    instructions: present(body.system) ? systemText(body.system, "system") : undefined,
    input: messagesToInput(body.messages),
    tools: tools(body.tools),
    toolChoice: choice,
    parallelToolCalls: parallel,
    maxOutputTokens: number(body, "max_tokens"),
    temperature: number(body, "temperature"),
    topP: number(body, "top_p"),
    reasoning: reasoning(body),
  };
  const dropped = Object.keys(body).filter((field) => present(body[field]) && (DROPPED_FIELDS.has(field) || !KNOWN_FIELDS.has(field)));
  return { request, stream: body.stream === true, dropped, clientNames: { max_output_tokens: "max_tokens", top_p: "top_p" } };
}
