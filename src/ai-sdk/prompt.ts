// AI SDK prompt (LanguageModelV2Prompt) -> our ModelRequest `instructions` + input items.
import type {
  LanguageModelV2CallWarning,
  LanguageModelV2FilePart,
  LanguageModelV2Prompt,
  LanguageModelV2ReasoningPart,
  LanguageModelV2ToolResultOutput,
} from "@ai-sdk/provider";
import { ProviderError } from "../errors.js";
import type { ContentPart, InputItem } from "../types.js";
import { PROVIDER_KEY } from "./options.js";

export interface ConvertedPrompt {
  instructions?: string;
  input: InputItem[];
  warnings: LanguageModelV2CallWarning[];
}

export function convertPrompt(prompt: LanguageModelV2Prompt): ConvertedPrompt {
  const system: string[] = [];
  const input: InputItem[] = [];
  const warnings: LanguageModelV2CallWarning[] = [];
  for (const message of prompt) {
    switch (message.role) {
      case "system":
        // Leading system messages are the instructions; later ones keep their place in the conversation.
        if (input.length === 0) system.push(message.content);
        else input.push({ type: "message", role: "system", content: message.content });
        break;
      case "user":
        input.push({
          type: "message",
          role: "user",
          content: message.content.map((part) => (part.type === "text" ? { type: "text", text: part.text } : imagePart(part))),
        });
        break;
      case "assistant": {
        // Text parts between other parts form one assistant message, so the item order is kept.
        let text: ContentPart[] = [];
        const flush = () => {
          if (text.length > 0) input.push({ type: "message", role: "assistant", content: text });
          text = [];
        };
        for (const part of message.content) {
          switch (part.type) {
            case "text":
              text.push({ type: "text", text: part.text });
              break;
            case "reasoning": {
              flush();
              const item = replayableReasoning(part);
              // Only encrypted reasoning can go back as input; a bare summary has no input form.
              if (item) input.push({ type: "raw", item });
              break;
            }
            case "tool-call":
              flush();
              input.push({ type: "function_call", callId: part.toolCallId, name: part.toolName, arguments: JSON.stringify(part.input ?? {}) });
              break;
            default:
              // Generated files and provider-executed tool results: nothing we produce, nothing to send back.
              warnings.push({ type: "other", message: `An assistant "${part.type}" part was left out: codex-provider cannot send it back.` });
          }
        }
        flush();
        break;
      }
      case "tool":
        for (const part of message.content) {
          input.push({ type: "function_call_output", callId: part.toolCallId, output: toolOutput(part.output, warnings) });
        }
        break;
    }
  }
  return { instructions: system.length > 0 ? system.join("\n\n") : undefined, input, warnings };
}

function imagePart(part: LanguageModelV2FilePart): ContentPart {
  if (!part.mediaType.startsWith("image/")) {
    throw new ProviderError("unsupported_parameter", `File parts of type ${part.mediaType} are not supported; only images are.`, { param: "prompt" });
  }
  if (part.data instanceof URL) return { type: "image", url: part.data.href };
  // `image/*` means the caller did not know; a data URL needs a concrete type, and JPEG is what the API assumes.
  const mediaType = part.mediaType === "image/*" ? "image/jpeg" : part.mediaType;
  const base64 = typeof part.data === "string" ? part.data : Buffer.from(part.data).toString("base64");
  return { type: "image", url: `data:${mediaType};base64,${base64}` };
}

/** The raw reasoning item stream-parts.ts attached to this part, when it was encrypted for replay. */
function replayableReasoning(part: LanguageModelV2ReasoningPart): Record<string, unknown> | undefined {
  const item = part.providerOptions?.[PROVIDER_KEY]?.reasoningItem;
  return item && typeof item === "object" && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
}

function toolOutput(output: LanguageModelV2ToolResultOutput, warnings: LanguageModelV2CallWarning[]): string {
  switch (output.type) {
    case "text":
    case "error-text":
      return output.value;
    case "json":
    case "error-json":
      return JSON.stringify(output.value);
    case "content": {
      if (output.value.some((part) => part.type === "media")) {
        warnings.push({ type: "other", message: "Media in tool results was left out: function call outputs are text." });
      }
      return output.value.map((part) => (part.type === "text" ? part.text : "")).filter(Boolean).join("\n");
    }
  }
}
