// Our typed StreamEvents -> AI SDK stream parts (LanguageModelV4). doStream sends these
// parts as they come; doGenerate collects the very same parts (content.ts), so both agree.
import type { JSONObject } from "@ai-sdk/provider";
import type { LanguageModelV4FinishReason, LanguageModelV4StreamPart, LanguageModelV4Usage, SharedV4ProviderMetadata } from "./spec-v4.js";
import type { FallbackSwitch, ResponseResult, StopReason, StreamEvent, Usage } from "../types.js";
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
  private sources = 0;
  /** Fallback switches of this call, reported in the finish part's metadata. */
  private readonly fallbacks: FallbackSwitch[] = [];

  map(event: StreamEvent): Part[] {
    switch (event.type) {
      case "created":
        return [{ type: "response-metadata", id: event.id || undefined, modelId: event.model || undefined }];
      case "text_delta":
        return this.text(event.itemId, event.delta);
      // The SDK has no refusal part: the refusal is text, marked in its metadata, so it is
      // never a silent empty answer; the finish reason says the answer was withheld.
      case "refusal_delta":
        return this.text(event.itemId, event.delta, { [PROVIDER_KEY]: { refusal: true } });
      case "reasoning_summary_delta":
      case "reasoning_text_delta":
        return this.reasoning(event.itemId, event.delta);
      // A preamble is not the answer, and the SDK has no phase: it is shown as reasoning, marked.
      case "commentary_delta":
        return this.reasoning(event.itemId, event.delta, { [PROVIDER_KEY]: { phase: "commentary" } });
      case "annotation": {
        // As @ai-sdk/openai does: URL citations become url sources; other annotations stay in metadata.
        const { type, url, title } = event.annotation;
        if (type !== "url_citation" || typeof url !== "string") return [];
        return [{ type: "source", sourceType: "url", id: `${event.itemId}:${this.sources++}`, url, title: typeof title === "string" ? title : undefined }];
      }
      case "output_item_done":
        return this.itemDone(event.item);
      case "function_call_start":
        this.toolInputs.set(event.itemId, event.callId);
        return [{ type: "tool-input-start", id: event.callId, toolName: event.name, ...inputStartKind(event.kind) }];
      case "function_call_arguments_delta": {
        const id = this.toolInputs.get(event.itemId);
        return id === undefined ? [] : [{ type: "tool-input-delta", id, delta: event.delta }];
      }
      case "function_call": {
        const { callId, name, arguments: input, kind } = event.call;
        // A custom tool's input is free text, not JSON: marked so a caller can tell, and
        // JSON-encoded in the call, as V4 asks of text inputs (its deltas stay raw text).
        const call: Part = { type: "tool-call", toolCallId: callId, toolName: name, input: kind === "custom" ? JSON.stringify(input) : input, ...kindMetadata(kind) };
        if ([...this.toolInputs.values()].includes(callId)) return [{ type: "tool-input-end", id: callId }, call];
        // A call whose start was never announced arrives in one piece.
        const parts: Part[] = [{ type: "tool-input-start", id: callId, toolName: name, ...inputStartKind(kind) }];
        if (input) parts.push({ type: "tool-input-delta", id: callId, delta: input });
        parts.push({ type: "tool-input-end", id: callId }, call);
        return parts;
      }
      case "raw":
        return [{ type: "raw", rawValue: event.event }];
      case "fallback": {
        const { type: _type, ...step } = event;
        this.fallbacks.push(step);
        return [];
      }
      case "done":
        return [...this.endReasoning(), ...end(this.openText, "text-end"), finishPart(event.result, this.fallbacks)];
      default:
        // rate_limits and usage are repeated in `done`.
        return [];
    }
  }

  private text(id: string, delta: string, providerMetadata?: SharedV4ProviderMetadata): Part[] {
    const parts: Part[] = [];
    if (!this.openText.has(id)) {
      // The answer follows the reasoning: Chat Completions streams never say when reasoning ends.
      parts.push(...this.endReasoning());
      this.openText.add(id);
      parts.push(providerMetadata ? { type: "text-start", id, providerMetadata } : { type: "text-start", id });
    }
    parts.push({ type: "text-delta", id, delta });
    return parts;
  }

  private reasoning(id: string, delta: string, providerMetadata?: SharedV4ProviderMetadata): Part[] {
    const parts: Part[] = [];
    if (!this.openReasoning.has(id)) {
      this.openReasoning.add(id);
      parts.push(providerMetadata ? { type: "reasoning-start", id, providerMetadata } : { type: "reasoning-start", id });
    }
    parts.push({ type: "reasoning-delta", id, delta });
    return parts;
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

/** Metadata marking a custom tool's call, as a field to spread (absent for function calls). */
function kindMetadata(kind: "function" | "custom" | undefined): { providerMetadata?: SharedV4ProviderMetadata } {
  return kind === "custom" ? { providerMetadata: { [PROVIDER_KEY]: { kind } } } : {};
}

/** A custom tool's input start: marked, and its deltas declared raw text rather than JSON. */
function inputStartKind(kind: "function" | "custom" | undefined): { inputEncoding?: "text"; providerMetadata?: SharedV4ProviderMetadata } {
  return kind === "custom" ? { inputEncoding: "text", ...kindMetadata(kind) } : {};
}

function finishPart(result: ResponseResult, fallbacks: readonly FallbackSwitch[]): Part {
  // JSON round trip: provider metadata must be JSON values, and undefined fields are not.
  const metadata = JSON.parse(
    JSON.stringify({
      responseId: result.id,
      requestId: result.requestId,
      incompleteReason: result.incompleteReason,
      refusal: result.refusal,
      rateLimits: result.rateLimits,
      // Which entries a fallback chain left and why; `resetsAt` as ISO time.
      fallback: fallbacks.length ? fallbacks.map((s) => ({ ...s, resetsAt: s.resetsAt === undefined ? undefined : new Date(s.resetsAt).toISOString() })) : undefined,
    }),
  ) as JSONObject;
  // A refused answer is withheld by the model's safety behaviour: the nearest finish reason the SDK has.
  const unified = result.refusal !== undefined && result.stopReason === "stop" ? "content-filter" : FINISH_REASONS[result.stopReason];
  // `raw` is the server's own word where it gave one (`incomplete_details.reason`), as @ai-sdk/openai reports it.
  const finishReason = { unified, raw: result.incompleteReason };
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
