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

// The preview limitations page: "Group function/custom tools in namespaces or supply
// them through `additional_tools` input items." A flat one is refused, like any other
// unsupported capability. The Responses reference's AdditionalTools item allows only
// role `developer`.
const UNGROUPED_TOOLS = new Set(["function", "custom"]);

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
  const typeAt = (i: number) => String((tools[i] as { type?: unknown } | null)?.type);
  const toolAt = tools.findIndex((_, i) => UNSUPPORTED_TOOLS.has(typeAt(i)));
  if (toolAt >= 0) return unsupported(`tools[${toolAt}]`, `Tool type '${typeAt(toolAt)}' is not supported with ChatGPT plan usage.`);
  const flatAt = tools.findIndex((_, i) => UNGROUPED_TOOLS.has(typeAt(i)));
  if (flatAt >= 0) {
    return unsupported(
      `tools[${flatAt}]`,
      `Top-level '${typeAt(flatAt)}' tools are not supported with ChatGPT plan usage; group them in a namespace or supply them through additional_tools input items.`,
    );
  }
  const badGroup = body.input.findIndex((item) => item && typeof item === "object" && itemType(item) === "additional_tools" && (item.role !== "developer" || !Array.isArray(item.tools)));
  if (badGroup >= 0) return unsupported(`input[${badGroup}]`, "additional_tools items need role 'developer' and a tools array.");
  return undefined;
}
