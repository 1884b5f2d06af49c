// A Chat Completions request -> our ModelRequest, so the provider's own request
// builder (and its policy) makes the wire body. Leading system/developer messages
// become `instructions`; assistant tool calls and tool results become function_call /
// function_call_output items with the same call ids.
//
// Chat fields with no Responses equivalent: sampling knobs (`seed`, penalties,
// `logit_bias`, `prediction`) and unknown fields are dropped and named in the response
// header; fields whose loss would change the answer's meaning or shape (`n` > 1,
// `stop`, `logprobs`, audio, web search, legacy `functions`) are a 400.
import type { ContentPart, FunctionTool, InputItem, ModelRequest, ReasoningEffort, ToolChoice, Verbosity } from "../types.js";
import { ServerError } from "./server-error.js";

type Json = Record<string, unknown>;

export interface ChatCall {
  request: ModelRequest & { model: string };
  stream: boolean;
  includeUsage: boolean;
  /** Chat fields dropped up front (no Responses equivalent). */
  dropped: string[];
  /** Responses wire name -> the Chat name the client used, for naming later drops. */
  clientNames: Record<string, string>;
}

const DROPPED_FIELDS = new Set(["seed", "presence_penalty", "frequency_penalty", "logit_bias", "prediction"]);

const KNOWN_FIELDS = new Set([
  "model", "messages", "stream", "stream_options", "tools", "tool_choice", "parallel_tool_calls", "temperature", "top_p",
  "max_tokens", "max_completion_tokens", "reasoning_effort", "verbosity", "response_format", "metadata", "store",
  "service_tier", "prompt_cache_key", "prompt_cache_retention", "user", "safety_identifier", "n", "stop", "logprobs",
  "top_logprobs", "modalities", "audio", "web_search_options", "functions", "function_call",
]);

function invalid(param: string, message: string): ServerError {
  return new ServerError(400, message, "invalid_value", { param });
}

function unsupported(param: string, why: string): ServerError {
  return new ServerError(400, `'${param}' is not supported by codex-provider's Chat Completions endpoint: ${why}`, "unsupported_parameter", { param });
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function optional<T>(body: Json, field: string, type: "number" | "string" | "boolean" | "object"): T | undefined {
  const value = body[field];
  if (!present(value)) return undefined;
  if (typeof value !== type || (type === "object" && Array.isArray(value))) throw invalid(field, `Invalid type for '${field}': expected ${type === "object" ? "an object" : `a ${type}`}.`);
  return value as T;
}

/** Text of a string or an array of text (and refusal) parts. */
function textContent(content: unknown, param: string): string {
  if (typeof content === "string") return content;
  if (!present(content)) return "";
  if (!Array.isArray(content)) throw invalid(param, `Invalid type for '${param}': expected a string or an array of content parts.`);
  return content
    .map((part: Json, index) => {
      if (part?.type === "text" && typeof part.text === "string") return part.text;
      if (part?.type === "refusal" && typeof part.refusal === "string") return part.refusal;
      throw unsupported(`${param}[${index}].type`, `only text parts are accepted in this message (got "${String(part?.type)}").`);
    })
    .join("");
}

function userContent(content: unknown, param: string): string | ContentPart[] {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalid(param, `Invalid type for '${param}': expected a string or an array of content parts.`);
  return content.map((part: Json, index): ContentPart => {
    if (part?.type === "text" && typeof part.text === "string") return { type: "text", text: part.text };
    if (part?.type === "image_url") {
      const image = (typeof part.image_url === "string" ? { url: part.image_url } : (part.image_url ?? {})) as Json;
      if (typeof image.url !== "string") throw invalid(`${param}[${index}].image_url.url`, "An image part needs image_url.url.");
      const detail = image.detail === "low" || image.detail === "high" ? image.detail : "auto";
      return { type: "image", url: image.url, detail };
    }
    throw unsupported(`${param}[${index}].type`, `content parts of type "${String(part?.type)}" are not supported; send files and audio to /v1/responses instead.`);
  });
}

function toolCalls(calls: unknown, param: string): InputItem[] {
  if (!present(calls)) return [];
  if (!Array.isArray(calls)) throw invalid(param, `Invalid type for '${param}': expected an array.`);
  return calls.map((call: Json, index): InputItem => {
    const fn = (call?.function ?? {}) as Json;
    if (call?.type !== undefined && call.type !== "function") throw unsupported(`${param}[${index}].type`, `only function tool calls are supported.`);
    if (typeof call?.id !== "string" || typeof fn.name !== "string") throw invalid(`${param}[${index}]`, "A tool call needs an id and function.name.");
    return { type: "function_call", callId: call.id, name: fn.name, arguments: typeof fn.arguments === "string" ? fn.arguments : "" };
  });
}

function messagesToInput(messages: unknown): { instructions?: string; input: InputItem[] } {
  if (!Array.isArray(messages) || messages.length === 0) throw invalid("messages", "'messages' must be a non-empty array.");
  const leading: string[] = [];
  const input: InputItem[] = [];
  for (const [index, message] of (messages as Json[]).entries()) {
    const param = `messages[${index}]`;
    const role = message?.role;
    switch (role) {
      case "system":
      case "developer": {
        const text = textContent(message.content, `${param}.content`);
        if (input.length === 0) leading.push(text);
        else input.push({ type: "message", role, content: text });
        break;
      }
      case "user":
        input.push({ type: "message", role: "user", content: userContent(message.content, `${param}.content`) });
        break;
      case "assistant": {
        const text = textContent(message.content, `${param}.content`);
        if (text) input.push({ type: "message", role: "assistant", content: text });
        input.push(...toolCalls(message.tool_calls, `${param}.tool_calls`));
        if (present(message.function_call)) throw unsupported(`${param}.function_call`, "legacy function calling; use tool_calls.");
        break;
      }
      case "tool":
        if (typeof message.tool_call_id !== "string") throw invalid(`${param}.tool_call_id`, "A tool message needs tool_call_id.");
        input.push({ type: "function_call_output", callId: message.tool_call_id, output: textContent(message.content, `${param}.content`) });
        break;
      case "function":
        throw unsupported(`${param}.role`, "legacy function messages; use tool messages with tool_call_id.");
      default:
        throw invalid(`${param}.role`, `Invalid value for '${param}.role': ${JSON.stringify(role)}.`);
    }
  }
  return { instructions: leading.length ? leading.join("\n\n") : undefined, input };
}

function tools(value: unknown): FunctionTool[] | undefined {
  if (!present(value)) return undefined;
  if (!Array.isArray(value)) throw invalid("tools", "Invalid type for 'tools': expected an array.");
  return value.map((tool: Json, index): FunctionTool => {
    if (tool?.type !== "function") throw unsupported(`tools[${index}].type`, `only function tools are supported (got "${String(tool?.type)}").`);
    const fn = (tool.function ?? {}) as Json;
    if (typeof fn.name !== "string") throw invalid(`tools[${index}].function.name`, "A function tool needs a name.");
    return {
      type: "function",
      name: fn.name,
      description: typeof fn.description === "string" ? fn.description : undefined,
      parameters: fn.parameters && typeof fn.parameters === "object" ? (fn.parameters as Json) : undefined,
      strict: typeof fn.strict === "boolean" ? fn.strict : null,
    };
  });
}

function toolChoice(value: unknown): ToolChoice | undefined {
  if (!present(value)) return undefined;
  if (value === "auto" || value === "none" || value === "required") return value;
  const name = ((value as Json)?.function as Json | undefined)?.name;
  if ((value as Json)?.type === "function" && typeof name === "string") return { type: "function", name };
  throw unsupported("tool_choice", "use auto, none, required or {type:\"function\", function:{name}}.");
}

/** `response_format` -> Responses `text.format`. */
function textFormat(value: unknown): Json | undefined {
  if (!present(value)) return undefined;
  const format = value as Json;
  if (format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  if (format.type === "json_schema") {
    const schema = (format.json_schema ?? {}) as Json;
    return { type: "json_schema", name: schema.name, schema: schema.schema, strict: schema.strict, description: schema.description };
  }
  throw invalid("response_format.type", `Invalid value for 'response_format.type': ${JSON.stringify(format.type)}.`);
}

/** Fields that cannot be honoured and must not be ignored. */
function rejectMeaningful(body: Json): void {
  const n = body.n;
  if (present(n) && n !== 1) throw unsupported("n", "only one choice per request.");
  const stop = body.stop;
  if (present(stop) && stop !== "" && !(Array.isArray(stop) && stop.length === 0)) throw unsupported("stop", "the Responses API has no stop sequences.");
  if (body.logprobs === true || (typeof body.top_logprobs === "number" && body.top_logprobs > 0)) throw unsupported("logprobs", "log probabilities are not available.");
  if (Array.isArray(body.modalities) && body.modalities.some((m) => m !== "text")) throw unsupported("modalities", "only text output.");
  if (present(body.audio)) throw unsupported("audio", "only text output.");
  if (present(body.web_search_options)) throw unsupported("web_search_options", "use /v1/responses with a web_search tool.");
  if (present(body.functions) || present(body.function_call)) throw unsupported(present(body.functions) ? "functions" : "function_call", "legacy function calling; use tools.");
}

export function chatToModelRequest(body: Json): ChatCall {
  const model = body.model;
  if (typeof model !== "string" || !model) throw new ServerError(400, "Missing required parameter: 'model'.", "missing_required_parameter", { param: "model" });
  rejectMeaningful(body);
  const { instructions, input } = messagesToInput(body.messages);
  const request: ChatCall["request"] = { model, input, instructions };
  const clientNames: Record<string, string> = {};

  request.tools = tools(body.tools);
  request.toolChoice = toolChoice(body.tool_choice);
  request.parallelToolCalls = optional<boolean>(body, "parallel_tool_calls", "boolean");
  request.temperature = optional<number>(body, "temperature", "number");
  request.topP = optional<number>(body, "top_p", "number");
  const maxField = present(body.max_completion_tokens) ? "max_completion_tokens" : "max_tokens";
  request.maxOutputTokens = optional<number>(body, maxField, "number");
  clientNames.max_output_tokens = maxField;
  const effort = optional<ReasoningEffort>(body, "reasoning_effort", "string");
  if (effort) request.reasoning = { effort };
  request.metadata = optional<Record<string, string>>(body, "metadata", "object");
  request.store = optional<boolean>(body, "store", "boolean");
  request.serviceTier = optional<string>(body, "service_tier", "string");
  request.promptCacheKey = optional<string>(body, "prompt_cache_key", "string");

  // Responses fields with no ModelRequest slot travel in extraBody, still under the provider's policy.
  const extraBody: Json = {};
  for (const field of ["user", "safety_identifier", "prompt_cache_retention"]) {
    if (present(body[field])) extraBody[field] = body[field];
  }
  const verbosity = optional<Verbosity>(body, "verbosity", "string");
  const format = textFormat(body.response_format);
  // `text` carries both; set it once so neither overwrites the other.
  if (format) extraBody.text = { format, ...(verbosity ? { verbosity } : {}) };
  else if (verbosity) request.text = { verbosity };
  if (Object.keys(extraBody).length) request.extraBody = extraBody;

  const dropped = Object.keys(body).filter((field) => present(body[field]) && (DROPPED_FIELDS.has(field) || !KNOWN_FIELDS.has(field)));
  const streamOptions = optional<Json>(body, "stream_options", "object");
  return {
    request,
    stream: body.stream === true,
    includeUsage: streamOptions?.include_usage === true,
    dropped,
    clientNames,
  };
}
