// ModelRequest -> Responses API body. Each provider passes a policy naming the body fields its endpoint
// rejects and the values it forces (docs/protocol.md#platform-api-key, docs/protocol.md#siwc-inference,
// docs/protocol.md#codex-body and docs/protocol.md#codex-rejected-fields).
import { ProviderError } from "../errors.js";
import { settled } from "../transport/deferred-json.js";
import type { ContentPart, InputItem, ModelRequest } from "../types.js";

export interface ResponsesPolicy {
  /** Wire field -> reason; a request that sets one fails with `unsupported_parameter` before any network call. */
  rejects: Record<string, string>;
  /** Values the endpoint requires (e.g. `store:false`). A request setting another value is rejected. */
  forced: { store?: boolean };
  /** `include` entries always sent (e.g. encrypted reasoning for stateless replay). */
  include?: string[];
  /** Instructions sent when the request has none (the Codex backend requires the field). */
  defaultInstructions?: string;
  /** System-role messages are rejected by the endpoint: send them as `developer` messages. */
  systemAsDeveloper?: boolean;
  /** The endpoint takes `input` only as an item array: a string is sent as one user message. */
  inputAsItems?: boolean;
}

export const PLATFORM_POLICY: ResponsesPolicy = { rejects: {}, forced: {} };

/** Maps request field names to the names users wrote, for error messages. */
const USER_NAMES: Record<string, string> = {
  max_output_tokens: "maxOutputTokens",
  top_p: "topP",
  previous_response_id: "previousResponseId",
  prompt_cache_key: "promptCacheKey",
  service_tier: "serviceTier",
  tool_choice: "toolChoice",
  parallel_tool_calls: "parallelToolCalls",
};

function contentParts(content: string | ContentPart[], role: string): Record<string, unknown>[] {
  const textType = role === "assistant" ? "output_text" : "input_text";
  if (typeof content === "string") return [{ type: textType, text: content }];
  return content.map((part) =>
    part.type === "text"
      ? { type: textType, text: part.text }
      : { type: "input_image", image_url: part.url, detail: part.detail ?? "auto" },
  );
}

/** Server item ids cannot be replayed when the server keeps no state (docs/protocol.md#codex-body). */
function stripServerIds(item: Record<string, unknown>): Record<string, unknown> {
  if (item.type === "item_reference") return item;
  const { id: _id, ...rest } = item;
  return rest;
}

export function toInputItems(input: ModelRequest["input"], stateless: boolean): Record<string, unknown>[] {
  const items: InputItem[] = typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;
  const out: Record<string, unknown>[] = [];
  for (const item of items) {
    switch (item.type) {
      case "message": {
        out.push({ type: "message", role: item.role, content: contentParts(item.content, item.role) });
        break;
      }
      case "function_call":
        out.push({ type: "function_call", call_id: item.callId, name: item.name, arguments: item.arguments });
        break;
      case "function_call_output":
        out.push({ type: "function_call_output", call_id: item.callId, output: item.output });
        break;
      case "custom_tool_call":
        out.push({ type: "custom_tool_call", call_id: item.callId, name: item.name, input: item.input });
        break;
      case "custom_tool_call_output":
        out.push({ type: "custom_tool_call_output", call_id: item.callId, output: item.output });
        break;
      case "raw":
        if (stateless && item.item.type === "item_reference") {
          throw new ProviderError("unsupported_parameter", "Item references cannot be replayed when the server stores nothing (store:false).", { param: "input" });
        }
        out.push(stateless ? stripServerIds(item.item) : item.item);
        break;
    }
  }
  return out;
}

/** ModelRequest -> Responses wire body, then the provider's policy. */
export function buildResponsesBody(request: ModelRequest, policy: ResponsesPolicy, model: string): Record<string, unknown> {
  if (request.store !== undefined && policy.forced.store !== undefined && request.store !== policy.forced.store) {
    throw new ProviderError("unsupported_parameter", `This provider requires store:${policy.forced.store}; remove the "store" option.`, { param: "store" });
  }
  const stateless = (policy.forced.store ?? request.store) === false;
  const body: Record<string, unknown> = { model };
  if (request.instructions !== undefined) body.instructions = request.instructions;
  body.input = toInputItems(request.input, stateless);
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) =>
      tool.type === "custom"
        ? { type: "custom", name: tool.name, description: tool.description, format: tool.format }
        : {
            type: "function",
            name: tool.name,
            description: tool.description,
            parameters: tool.parameters ?? { type: "object", properties: {} },
            strict: tool.strict ?? null,
          },
    );
  }
  if (request.toolChoice !== undefined) body.tool_choice = request.toolChoice;
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.reasoning?.effort || request.reasoning?.summary) {
    body.reasoning = { effort: request.reasoning.effort, summary: request.reasoning.summary };
  }
  if (request.text?.verbosity || request.text?.format) {
    body.text = { verbosity: request.text.verbosity, format: request.text.format };
  }
  if (request.maxOutputTokens !== undefined) body.max_output_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.metadata !== undefined) body.metadata = request.metadata;
  if (request.store !== undefined) body.store = request.store;
  if (request.previousResponseId !== undefined) body.previous_response_id = request.previousResponseId;
  if (request.promptCacheKey !== undefined) body.prompt_cache_key = request.promptCacheKey;
  if (request.serviceTier !== undefined) body.service_tier = request.serviceTier;
  if (request.extraBody) Object.assign(body, request.extraBody);
  // Our own fresh body: enforced in place, without the copy a caller's body gets.
  return enforcePolicy(body, policy);
}

/**
 * A Responses body's `tools` as an array (parsed first if the local server left them as the
 * client's text); empty when absent or not an array.
 */
export function toolsOf(body: Record<string, unknown>): Record<string, unknown>[] {
  const tools = settled(body.tools);
  return Array.isArray(tools) ? (tools as Record<string, unknown>[]) : [];
}

/**
 * Enforce an endpoint's policy on a Responses wire body: forced values, required
 * instructions, `include`, system-role handling, and rejected fields (an
 * `unsupported_parameter` error naming the field, before any network call). Used for
 * bodies we build and for bodies passed through from other clients by the local server.
 */
export function applyResponsesPolicy(input: Record<string, unknown>, policy: ResponsesPolicy): Record<string, unknown> {
  return enforcePolicy({ ...input }, policy);
}

function enforcePolicy(body: Record<string, unknown>, policy: ResponsesPolicy): Record<string, unknown> {
  if (policy.forced.store !== undefined) {
    if (body.store !== undefined && body.store !== policy.forced.store) {
      throw new ProviderError("unsupported_parameter", `This provider requires store:${policy.forced.store}; remove "store".`, { param: "store" });
    }
    body.store = policy.forced.store;
  }
  if (body.instructions === undefined && policy.defaultInstructions !== undefined) body.instructions = policy.defaultInstructions;
  if (policy.inputAsItems && typeof body.input === "string") body.input = toInputItems(body.input, true);
  // An input still in the client's text (DeferredJson) is parsed here: a search of the text
  // for a `system` role cost more than half the parse (docs/PERFORMANCE.md, "Fifteenth pass").
  const input = policy.systemAsDeveloper ? settled(body.input) : undefined;
  if (Array.isArray(input)) {
    body.input = (input as Record<string, unknown>[]).map((item) => (item && item.role === "system" ? { ...item, role: "developer" } : item));
  }
  if (policy.include?.length) {
    const include = new Set([...(Array.isArray(body.include) ? (body.include as string[]) : []), ...policy.include]);
    body.include = [...include];
  }
  body.stream = true;

  // Most policies reject nothing or a few fields: look those up rather than every body field.
  let rejected = false;
  for (const field in policy.rejects) if (body[field] !== undefined) rejected = true;
  if (!rejected) return body;
  // Name the first rejected field in the body's own order.
  for (const field of Object.keys(body)) {
    const reason = Object.hasOwn(policy.rejects, field) ? policy.rejects[field] : undefined;
    if (reason !== undefined && body[field] !== undefined) {
      const userName = USER_NAMES[field];
      throw new ProviderError(
        "unsupported_parameter",
        `"${field}"${userName ? ` (${userName})` : ""} is not supported by this provider: ${reason}`,
        { param: field },
      );
    }
  }
  return body;
}
