// Our typed StreamEvents -> AI SDK stream parts (LanguageModelV4). doStream sends these
// parts as they come; doGenerate collects the very same parts (content.ts), so both agree.
import type { JSONObject } from "@ai-sdk/provider";
import type { LanguageModelV4FinishReason, LanguageModelV4StreamPart, LanguageModelV4Usage } from "./spec-v4.js";
import type { ResponseResult, StopReason, StreamEvent, Usage } from "../types.js";
import { PROVIDER_KEY } from "./options.js";

type Part = LanguageModelV4StreamPart;

const FINISH_REASONS: Record<StopReason, LanguageModelV4FinishReason["unified"]> = {
  stop: "stop",
  tool_calls: "tool-calls",
  length: "length",
  content_filter: "content-filter",
  incomplete: "other",
};

export class StreamPartMapper {
  /** Text and reasoning blocks started and not yet ended, by item id (separate id spaces in the SDK). */
  private readonly openText = new Set<string>();
  private readonly openReasoning = new Set<string>();
  /** Tool calls whose input is streaming: wire item id -> call id. */
  private readonly toolInputs = new Map<string, string>();

  map(event: StreamEvent): Part[] {
    switch (event.type) {
      case "created":
        return [{ type: "response-metadata", id: event.id || undefined, modelId: event.model || undefined }];
      case "text_delta": {
        const parts: Part[] = [];
        if (!this.openText.has(event.itemId)) {
          // The answer follows the reasoning: Chat Completions streams never say when reasoning ends.
          parts.push(...this.endReasoning());
          this.openText.add(event.itemId);
          parts.push({ type: "text-start", id: event.itemId });
        }
        parts.push({ type: "text-delta", id: event.itemId, delta: event.delta });
        return parts;
      }
      case "reasoning_summary_delta": {
        const parts: Part[] = [];
        if (!this.openReasoning.has(event.itemId)) {
          this.openReasoning.add(event.itemId);
          parts.push({ type: "reasoning-start", id: event.itemId });
        }
        parts.push({ type: "reasoning-delta", id: event.itemId, delta: event.delta });
        return parts;
      }
      case "output_item_done":
        return this.itemDone(event.item);
      case "function_call_start":
        this.toolInputs.set(event.itemId, event.callId);
        return [{ type: "tool-input-start", id: event.callId, toolName: event.name }];
      case "function_call_arguments_delta": {
        const id = this.toolInputs.get(event.itemId);
        return id === undefined ? [] : [{ type: "tool-input-delta", id, delta: event.delta }];
      }
      case "function_call": {
        const { callId, name, arguments: input } = event.call;
        const call: Part = { type: "tool-call", toolCallId: callId, toolName: name, input };
        if ([...this.toolInputs.values()].includes(callId)) return [{ type: "tool-input-end", id: callId }, call];
        // A call whose start was never announced arrives in one piece.
        const parts: Part[] = [{ type: "tool-input-start", id: callId, toolName: name }];
        if (input) parts.push({ type: "tool-input-delta", id: callId, delta: input });
        parts.push({ type: "tool-input-end", id: callId }, call);
        return parts;
      }
      case "raw":
        return [{ type: "raw", rawValue: event.event }];
      case "done":
        return [...this.endReasoning(), ...end(this.openText, "text-end"), finishPart(event.result)];
      default:
        // rate_limits and usage are repeated in `done`.
        return [];
    }
  }

  private itemDone(item: Record<string, unknown>): Part[] {
    const id = typeof item.id === "string" ? item.id : "";
    if (item.type === "reasoning") {
      // Encrypted reasoning rides on the reasoning part, so the next step can replay it (prompt.ts).
      const providerMetadata = typeof item.encrypted_content === "string" ? { [PROVIDER_KEY]: { reasoningItem: item as JSONObject } } : undefined;
      if (this.openReasoning.delete(id)) return [{ type: "reasoning-end", id, providerMetadata }];
      // Reasoning without a summary still needs a part to carry it.
      return providerMetadata ? [{ type: "reasoning-start", id }, { type: "reasoning-end", id, providerMetadata }] : [];
    }
    return this.openText.delete(id) ? [{ type: "text-end", id }] : [];
  }

  private endReasoning(): Part[] {
    return end(this.openReasoning, "reasoning-end");
  }
}

function end(open: Set<string>, type: "text-end" | "reasoning-end"): Part[] {
  const parts = [...open].map((id): Part => ({ type, id }));
  open.clear();
  return parts;
}

function finishPart(result: ResponseResult): Part {
  // JSON round trip: provider metadata must be JSON values, and undefined fields are not.
  const metadata = JSON.parse(
    JSON.stringify({ responseId: result.id, requestId: result.requestId, incompleteReason: result.incompleteReason, rateLimits: result.rateLimits }),
  ) as JSONObject;
  // `raw` is the server's own word where it gave one (`incomplete_details.reason`), as @ai-sdk/openai reports it.
  const finishReason = { unified: FINISH_REASONS[result.stopReason], raw: result.incompleteReason };
  return { type: "finish", finishReason, usage: toUsage(result.usage), providerMetadata: { [PROVIDER_KEY]: metadata } };
}

/** A failed call's finish part: the SDK expects one after an `error` part. */
export const ERROR_FINISH: Part = { type: "finish", finishReason: { unified: "error", raw: undefined }, usage: toUsage(undefined) };

export function toUsage(usage: Usage | undefined): LanguageModelV4Usage {
  if (!usage) {
    return {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
  }
  // The wire reports cached and reasoning tokens as parts of the totals; V4 also wants the remainders.
  return {
    inputTokens: { total: usage.inputTokens, noCache: usage.inputTokens - usage.cachedInputTokens, cacheRead: usage.cachedInputTokens, cacheWrite: undefined },
    outputTokens: { total: usage.outputTokens, text: usage.outputTokens - usage.reasoningTokens, reasoning: usage.reasoningTokens },
  };
}
