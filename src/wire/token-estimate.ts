// A rough input-token count for a request, for `count_tokens`-style endpoints that must
// answer without calling the model. It is an estimate and is labelled as one wherever
// it is served: about four characters of English text per token (the usual rule of
// thumb for GPT and Claude tokenizers), and a flat figure per image because the pixels
// are not decoded here.
import type { ModelRequest } from "../types.js";

const CHARS_PER_TOKEN = 4;
/** Roughly a 1000x1000 image at "auto" detail. */
const TOKENS_PER_IMAGE = 1_000;

export function estimateInputTokens(request: ModelRequest): number {
  let chars = request.instructions?.length ?? 0;
  let images = 0;
  const items = typeof request.input === "string" ? [{ type: "message" as const, role: "user" as const, content: request.input }] : request.input;
  for (const item of items) {
    if (item.type === "message") {
      if (typeof item.content === "string") chars += item.content.length;
      else
        for (const part of item.content) {
          if (part.type === "text") chars += part.text.length;
          else images++;
        }
    } else if (item.type === "function_call") chars += item.name.length + item.arguments.length;
    else if (item.type === "custom_tool_call") chars += item.name.length + item.input.length;
    else if (item.type === "function_call_output" || item.type === "custom_tool_call_output") chars += item.output.length;
    else chars += JSON.stringify(item.item).length;
  }
  for (const tool of request.tools ?? []) chars += JSON.stringify(tool).length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + images * TOKENS_PER_IMAGE;
}
