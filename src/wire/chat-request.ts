// ModelRequest -> Chat Completions body, for OpenAI-compatible servers that speak only
// `/chat/completions` (Ollama, vLLM, OpenRouter, Azure OpenAI, LM Studio, …). The same
// request shape goes in as for Responses endpoints; fields with no Chat equivalent fail
// before any network call instead of being dropped silently.
import { ProviderError } from "../errors.js";
import type { ContentPart, InputItem, ModelRequest } from "../types.js";

type Json = Record<string, unknown>;
type PlainItem = Exclude<InputItem, { type: "raw" }>;

interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

interface ChatMessage extends Json {
  role: "system" | "user" | "assistant" | "tool";
  content: string | Json[] | null;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
}

function unsupported(field: string, why: string): ProviderError {
  return new ProviderError("unsupported_parameter", `"${field}" cannot be sent to a Chat Completions provider: ${why}`, { param: field });
}

/** Custom tools, their calls and outputs: this wire does not carry them (docs/protocol.md#custom-tool-calls). */
function responsesOnly(field: string): ProviderError {
  return unsupported(field, "custom tools and their calls are sent to Responses providers only.");
}

function textOnly(content: string | ContentPart[]): string {
  if (typeof content === "string") return content;
  return content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

function userContent(content: string | ContentPart[]): string | Json[] {
  if (typeof content === "string") return content;
  return content.map((part) =>
    part.type === "text"
      ? { type: "text", text: part.text }
      : { type: "image_url", image_url: { url: part.url, detail: part.detail ?? "auto" } },
  );
}

/** Text of a Responses message item's content (`input_text`/`output_text` parts or a string). */
function responsesText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (typeof (part as Json)?.text === "string" ? ((part as Json).text as string) : "")).join("");
}

const DETAILS = new Set(["auto", "low", "high"]);

/**
 * A user message's Responses content as our parts: text, and images given by URL (data or
 * https). An image by `file_id` or a file has no Chat form and is refused by name rather
 * than left out, so the model never answers without what the user sent. Text alone stays
 * one string, which every Chat server takes.
 */
function responsesUserContent(content: unknown): string | ContentPart[] {
  if (!Array.isArray(content) || content.every((part) => typeof (part as Json)?.text === "string")) return responsesText(content);
  const parts: ContentPart[] = [];
  for (const part of content as Json[]) {
    if (typeof part?.text === "string") parts.push({ type: "text", text: part.text });
    else if (part?.type === "input_image" && typeof part.image_url === "string") {
      parts.push({ type: "image", url: part.image_url, ...(DETAILS.has(String(part.detail)) ? { detail: part.detail as "auto" | "low" | "high" } : {}) });
    } else if (part?.type === "input_image" || part?.type === "input_file") {
      throw unsupported("input", `a ${part.type} ${part.type === "input_image" ? "without an image_url" : "part"} has no Chat Completions equivalent.`);
    }
  }
  return parts;
}

/**
 * A function call's output: a string, or (Responses) a list of parts, whose text is joined.
 * Chat's tool messages carry text only, so an image or file in it is refused by name.
 */
function toolOutputText(output: unknown): string {
  if (!Array.isArray(output)) return String(output ?? "");
  for (const part of output as Json[]) {
    if (typeof part?.text !== "string") throw unsupported("input", `a function_call_output with ${String(part?.type)} content has no Chat Completions equivalent (tool results are text there).`);
  }
  return responsesText(output);
}

/**
 * Raw items are Responses output items replayed for multi-turn (see ResponseResult.output).
 * Messages and function calls translate; reasoning has no Chat slot and is left out.
 */
function fromRawItem(item: Json): PlainItem | undefined {
  switch (item.type) {
    case "message": {
      const role = item.role === "assistant" || item.role === "system" || item.role === "developer" ? item.role : "user";
      return { type: "message", role, content: role === "user" ? responsesUserContent(item.content) : responsesText(item.content) };
    }
    case "function_call":
      return { type: "function_call", callId: String(item.call_id), name: String(item.name), arguments: String(item.arguments ?? "") };
    case "function_call_output":
      return { type: "function_call_output", callId: String(item.call_id), output: toolOutputText(item.output) };
    case "reasoning":
      return undefined;
    default:
      throw unsupported("input", `replayed item type "${String(item.type)}" has no Chat Completions equivalent.`);
  }
}

/** InputItems -> Chat messages. Consecutive function calls join one assistant message, as Chat expects. */
function toChatMessages(input: ModelRequest["input"], instructions: string | undefined): ChatMessage[] {
  const items: InputItem[] = typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;
  // `system` rather than `developer`: every compatible server knows it; OpenAI treats them alike.
  const messages: ChatMessage[] = instructions !== undefined ? [{ role: "system", content: instructions }] : [];
  for (const original of items) {
    const item = original.type === "raw" ? fromRawItem(original.item) : original;
    if (!item) continue;
    switch (item.type) {
      case "message":
        if (item.role === "user") messages.push({ role: "user", content: userContent(item.content) });
        else if (item.role === "assistant") messages.push({ role: "assistant", content: textOnly(item.content) });
        else messages.push({ role: "system", content: textOnly(item.content) });
        break;
      case "function_call": {
        const call: ChatToolCall = { id: item.callId, type: "function", function: { name: item.name, arguments: item.arguments } };
        const last = messages.at(-1);
        if (last?.role === "assistant") (last.tool_calls ??= []).push(call);
        else messages.push({ role: "assistant", content: null, tool_calls: [call] });
        break;
      }
      case "function_call_output":
        messages.push({ role: "tool", tool_call_id: item.callId, content: item.output });
        break;
      case "custom_tool_call":
      case "custom_tool_call_output":
        throw responsesOnly("input");
    }
  }
  return messages;
}

function toolChoice(choice: NonNullable<ModelRequest["toolChoice"]>): unknown {
  if (typeof choice === "string") return choice;
  if (choice.type === "custom") throw responsesOnly("tool_choice");
  return { type: "function", function: { name: choice.name } };
}

export function buildChatBody(request: ModelRequest, model: string): Json {
  if (request.previousResponseId !== undefined) {
    throw unsupported("previous_response_id", "Chat Completions keeps no server-side conversation; send the full history in input.");
  }
  const body: Json = { model, messages: toChatMessages(request.input, request.instructions) };
  if (request.tools?.length) {
    body.tools = request.tools.map((tool, index) => {
      if (tool.type === "custom") throw responsesOnly(`tools[${index}]`);
      return {
        type: "function",
        function: {
          name: tool.name,
          description: tool.description,
          parameters: tool.parameters ?? { type: "object", properties: {} },
          ...(tool.strict == null ? {} : { strict: tool.strict }),
        },
      };
    });
  }
  if (request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  // Chat has no reasoning summaries; only the effort has a counterpart.
  if (request.reasoning?.effort) body.reasoning_effort = request.reasoning.effort;
  if (request.text?.verbosity) body.verbosity = request.text.verbosity;
  const format = request.text?.format;
  if (format?.type === "json_object") body.response_format = { type: "json_object" };
  else if (format?.type === "json_schema") {
    const { name, schema, description, strict } = format;
    body.response_format = { type: "json_schema", json_schema: { name, schema, description, strict } };
  }
  if (request.maxOutputTokens !== undefined) body.max_completion_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.metadata !== undefined) body.metadata = request.metadata;
  if (request.store !== undefined) body.store = request.store;
  if (request.promptCacheKey !== undefined) body.prompt_cache_key = request.promptCacheKey;
  if (request.serviceTier !== undefined) body.service_tier = request.serviceTier;
  if (request.extraBody) Object.assign(body, request.extraBody);
  // Usage arrives only in a final chunk the client must ask for.
  body.stream = true;
  body.stream_options = { ...(body.stream_options as Json | undefined), include_usage: true };
  return body;
}
