// AI SDK prompt (LanguageModelV4Prompt) -> our ModelRequest `instructions` + input items.
import type {
  LanguageModelV4FilePart,
  LanguageModelV4Prompt,
  LanguageModelV4ReasoningPart,
  LanguageModelV4ToolResultOutput,
  SharedV4Warning,
} from "./spec-v4.js";
import { ProviderError } from "../errors.js";
import type { ContentPart, InputItem } from "../types.js";
import { PROVIDER_KEY } from "./options.js";

export interface ConvertedPrompt {
  instructions?: string;
  input: InputItem[];
  warnings: SharedV4Warning[];
}

export function convertPrompt(prompt: LanguageModelV4Prompt): ConvertedPrompt {
  const system: string[] = [];
  const input: InputItem[] = [];
  const warnings: SharedV4Warning[] = [];
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
          // Approvals answer provider-executed tools, and no tool of ours runs on the provider.
          if (part.type === "tool-approval-response") continue;
          input.push({ type: "function_call_output", callId: part.toolCallId, output: toolOutput(part.output, warnings) });
        }
        break;
    }
  }
  return { instructions: system.length > 0 ? system.join("\n\n") : undefined, input, warnings };
}

function imagePart(part: LanguageModelV4FilePart): ContentPart {
  const { data, mediaType } = part;
  if (mediaType !== "image" && !mediaType.startsWith("image/")) {
    throw new ProviderError("unsupported_parameter", `File parts of type ${mediaType} are not supported; only images are.`, { param: "prompt" });
  }
  if (data.type === "url") return { type: "image", url: data.url.href };
  if (data.type !== "data") {
    throw new ProviderError("unsupported_parameter", `Image parts given as ${data.type === "reference" ? "a provider file reference" : "text"} are not supported; send the image's bytes or URL.`, { param: "prompt" });
  }
  // `image` or `image/*` means the caller did not know; a data URL needs a concrete type, and JPEG is what the API assumes.
  const concrete = mediaType === "image" || mediaType === "image/*" ? "image/jpeg" : mediaType;
  const base64 = typeof data.data === "string" ? data.data : Buffer.from(data.data).toString("base64");
  return { type: "image", url: `data:${concrete};base64,${base64}` };
}

/** The raw reasoning item stream-parts.ts attached to this part, when it was encrypted for replay. */
function replayableReasoning(part: LanguageModelV4ReasoningPart): Record<string, unknown> | undefined {
  const item = part.providerOptions?.[PROVIDER_KEY]?.reasoningItem;
  return item && typeof item === "object" && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
}

function toolOutput(output: LanguageModelV4ToolResultOutput, warnings: SharedV4Warning[]): string {
  switch (output.type) {
    case "text":
    case "error-text":
      return output.value;
    case "execution-denied":
      // The model needs an answer to its call either way; this is the wording @ai-sdk/openai sends.
      return output.reason ?? "Tool call execution denied.";
    case "json":
    case "error-json":
      return JSON.stringify(output.value);
    case "content": {
      if (output.value.some((part) => part.type !== "text")) {
        warnings.push({ type: "other", message: "Files in tool results were left out: function call outputs are text." });
      }
      return output.value.map((part) => (part.type === "text" ? part.text : "")).filter(Boolean).join("\n");
    }
  }
}
