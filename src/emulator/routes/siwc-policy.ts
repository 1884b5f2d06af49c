// What a SIWC (ChatGPT plan) token may send to /v1/responses (docs/protocol.md#siwc-inference), answered with
// `subscription_sharing_unsupported_capability` and the offending `param` (docs/protocol.md#siwc-errors).
import { type HttpError, siwcError } from "../errors.js";
import { itemType } from "../responses-input.js";

const MUST_OMIT = [
  "background",
  "conversation",
  "max_output_tokens",
  "max_tool_calls",
  "metadata",
  "moderation",
  "multi_agent",
  "prompt",
  "prompt_cache_retention",
  "safety_identifier",
  "temperature",
  "top_logprobs",
  "top_p",
  "truncation",
  "user",
  "previous_response_id",
  "programmatic_tool_calling",
];

// Hosted tools ChatGPT plan usage does not cover; function, custom, namespace and web
// search tools pass.
const UNSUPPORTED_TOOLS = new Set([
  "image_generation",
  "file_search",
  "code_interpreter",
  "computer_use_preview",
  "computer",
  "mcp",
  "tool_search",
]);

function unsupported(param: string, message: string): HttpError {
  return siwcError(400, "subscription_sharing_unsupported_capability", message, param);
}

/** The first rule the body breaks, or undefined. */
export function siwcViolation(body: Record<string, unknown>): HttpError | undefined {
  if (body.store !== false) return unsupported("store", "ChatGPT plan requests must set store to false.");
  if (body.stream !== true) return unsupported("stream", "ChatGPT plan requests must set stream to true.");
  for (const field of MUST_OMIT) {
    if (body[field] !== undefined) return unsupported(field, `'${field}' is not supported with ChatGPT plan usage.`);
  }
  if (!Array.isArray(body.input)) return unsupported("input", "ChatGPT plan requests must send input as an array of items.");
  const systemAt = body.input.findIndex((item) => item && typeof item === "object" && itemType(item) === "message" && item.role === "system");
  if (systemAt >= 0) {
    return unsupported(`input[${systemAt}].role`, "System messages are not supported with ChatGPT plan usage; use instructions or a developer message.");
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const toolAt = tools.findIndex((tool) => tool && typeof tool === "object" && UNSUPPORTED_TOOLS.has(String((tool as { type?: unknown }).type)));
  if (toolAt >= 0) {
    return unsupported(`tools[${toolAt}]`, `Tool type '${String((tools[toolAt] as { type?: unknown }).type)}' is not supported with ChatGPT plan usage.`);
  }
  return undefined;
}
