// Chat Completions stream chunks -> the same typed StreamEvents as Responses streams.
// Text and reasoning deltas pass through; tool calls arrive as fragments keyed by
// `index` and are assembled here; usage comes in a last chunk with empty `choices`
// (stream_options.include_usage). The answer is complete only at `data: [DONE]`
// after a `finish_reason`: anything less is a truncated stream, never a success.
import { ProviderError } from "../errors.js";
import type { FunctionCall, ResponseResult, StopReason, StreamEvent, Usage } from "../types.js";
import { classifyFacts, errorFacts } from "../transport/classify.js";
import type { EventMapper, MapperContext } from "../transport/response-stream.js";
import { parseUsage } from "./responses-events.js";

type Json = Record<string, unknown>;

/** Chat usage names -> Responses usage names, so one parser serves both. */
function parseChatUsage(value: unknown): Usage | undefined {
  if (!value || typeof value !== "object") return undefined;
  const u = value as Json;
  return parseUsage({
    input_tokens: u.prompt_tokens,
    input_tokens_details: u.prompt_tokens_details,
    output_tokens: u.completion_tokens,
    output_tokens_details: u.completion_tokens_details,
    total_tokens: u.total_tokens,
  });
}

const STOP_REASONS: Record<string, { stop: StopReason; incomplete?: string }> = {
  stop: { stop: "stop" },
  tool_calls: { stop: "tool_calls" },
  function_call: { stop: "tool_calls" },
  length: { stop: "length", incomplete: "max_output_tokens" },
  content_filter: { stop: "content_filter", incomplete: "content_filter" },
};

function asString(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export class ChatEventMapper implements EventMapper {
  private id = "";
  private model = "";
  private text = "";
  private refusal = "";
  private reasoning = "";
  /** Tool calls by the chunk's `index`; fragments after the first carry only arguments. */
  private readonly calls = new Map<number, FunctionCall>();
  private finishReason?: string;
  private usage?: Usage;
  result?: ResponseResult;

  constructor(private readonly context: MapperContext) {}

  map(chunk: Json, out: StreamEvent[]): void {
    if (chunk.error) {
      throw classifyFacts(errorFacts(chunk), { requestId: this.context.requestId, rateLimits: this.context.rateLimits() });
    }
    if (!this.id && typeof chunk.id === "string" && chunk.id) {
      this.id = chunk.id;
      this.model = asString(chunk.model);
      out.push({ type: "created", id: this.id, model: this.model });
    }
    if (chunk.usage) this.usage = parseChatUsage(chunk.usage);
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as Json[]) : [];
    // Only the first choice: requests never ask for n > 1.
    const choice = choices.find((c) => (c.index ?? 0) === 0);
    if (!choice) return;
    const delta = (choice.delta ?? {}) as Json;
    // Reasoning text under either name compatible servers use (vLLM, DeepSeek, OpenRouter).
    const reasoning = asString(delta.reasoning_content) || asString(delta.reasoning);
    if (reasoning) {
      this.reasoning += reasoning;
      out.push({ type: "reasoning_summary_delta", delta: reasoning, itemId: this.id });
    }
    const content = asString(delta.content);
    if (content) {
      this.text += content;
      out.push({ type: "text_delta", delta: content, itemId: this.id });
    }
    // A refusal arrives in its own field (`delta.refusal`), never in `content`.
    const refusal = asString(delta.refusal);
    if (refusal) {
      this.refusal += refusal;
      out.push({ type: "refusal_delta", delta: refusal, itemId: this.id });
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const [position, fragment] of (delta.tool_calls as Json[]).entries()) this.addToolFragment(fragment, position, out);
    }
    if (typeof choice.finish_reason === "string") this.finishReason = choice.finish_reason;
  }

  private addToolFragment(fragment: Json, position: number, out: StreamEvent[]): void {
    const index = typeof fragment.index === "number" ? fragment.index : position;
    const fn = (fragment.function ?? {}) as Json;
    let call = this.calls.get(index);
    if (!call) {
      call = { callId: asString(fragment.id) || `call_${index}`, name: "", arguments: "" };
      this.calls.set(index, call);
    }
    // Some servers repeat the id and name on every fragment; the first one wins.
    if (!call.name) {
      call.name = asString(fn.name);
      if (call.name) out.push({ type: "function_call_start", itemId: call.callId, callId: call.callId, name: call.name });
    }
    const piece = asString(fn.arguments);
    if (piece) {
      call.arguments += piece;
      out.push({ type: "function_call_arguments_delta", delta: piece, itemId: call.callId });
    }
  }

  onDone(out: StreamEvent[]): void {
    if (this.finishReason === undefined) {
      throw new ProviderError("stream_truncated", "The chat stream ended without a finish_reason; the answer may be cut off.", {
        retryable: true,
        requestId: this.context.requestId,
      });
    }
    const calls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    const known = STOP_REASONS[this.finishReason] ?? { stop: "stop" };
    // Some servers (e.g. Ollama) report "stop" even when the answer is tool calls.
    const stopReason: StopReason = calls.length > 0 && known.stop === "stop" ? "tool_calls" : known.stop;
    const output: Json[] = [];
    const content: Json[] = [];
    if (this.text) content.push({ type: "output_text", text: this.text });
    if (this.refusal) content.push({ type: "refusal", refusal: this.refusal });
    if (content.length) output.push({ type: "message", role: "assistant", content });
    for (const call of calls) {
      output.push({ type: "function_call", call_id: call.callId, name: call.name, arguments: call.arguments });
      out.push({ type: "function_call", call });
    }
    for (const item of output) out.push({ type: "output_item_done", item });
    this.result = {
      id: this.id,
      model: this.model,
      text: this.text,
      commentary: "",
      refusal: this.refusal || undefined,
      reasoningSummary: this.reasoning,
      reasoningText: "",
      annotations: [],
      functionCalls: calls,
      // Responses-shaped items, so callers replay history the same way for either wire API.
      output,
      usage: this.usage,
      stopReason,
      incompleteReason: known.incomplete,
      rateLimits: this.context.rateLimits(),
      requestId: this.context.requestId,
    };
    if (this.usage) out.push({ type: "usage", usage: this.usage });
    out.push({ type: "done", result: this.result });
  }
}
