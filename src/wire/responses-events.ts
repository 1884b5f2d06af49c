// Responses stream events (docs/protocol.md#event-order to docs/protocol.md#terminal-events) -> typed
// StreamEvents, accumulating the final result. Success only on `response.completed`; `response.failed` and
// `error` become classified ProviderErrors; `response.incomplete` ends with a stop reason. Event names and
// fields follow openai-node's ResponseStreamEvent union; message `phase` follows codex-rs protocol's
// MessagePhase (absent = final answer). Unknown event types map to nothing.
import type { Annotation, FunctionCall, RateLimitSnapshot, ResponseResult, StopReason, StreamEvent, Usage } from "../types.js";
import { classifyFacts, errorFacts } from "../transport/classify.js";
import { parseRateLimitEvent } from "../transport/rate-limits.js";

type Json = Record<string, unknown>;

export function parseUsage(value: unknown): Usage | undefined {
  if (!value || typeof value !== "object") return undefined;
  const u = value as Json;
  const n = (v: unknown) => (typeof v === "number" ? v : 0);
  const inputDetails = (u.input_tokens_details ?? {}) as Json;
  const outputDetails = (u.output_tokens_details ?? {}) as Json;
  const inputTokens = n(u.input_tokens);
  const outputTokens = n(u.output_tokens);
  return {
    inputTokens,
    cachedInputTokens: n(inputDetails.cached_tokens),
    outputTokens,
    reasoningTokens: n(outputDetails.reasoning_tokens),
    totalTokens: typeof u.total_tokens === "number" ? u.total_tokens : inputTokens + outputTokens,
  };
}

function asString(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A `function_call` or `custom_tool_call` output item as a typed call. */
function toolCall(item: Json): FunctionCall | undefined {
  const custom = item.type === "custom_tool_call";
  if (!custom && item.type !== "function_call") return undefined;
  return {
    itemId: typeof item.id === "string" ? item.id : undefined,
    callId: asString(item.call_id),
    name: asString(item.name),
    arguments: asString(custom ? item.input : item.arguments),
    kind: custom ? "custom" : "function",
  };
}

/** The `refusal` content parts of a message item, joined. */
function refusalOf(item: Json): string {
  const content = Array.isArray(item.content) ? (item.content as Json[]) : [];
  return content.map((part) => (part && part.type === "refusal" ? asString(part.refusal) : "")).join("");
}

export class ResponsesEventMapper {
  id = "";
  model = "";
  private text = "";
  private commentary = "";
  private refusal = "";
  private reasoning = "";
  private reasoningText = "";
  private readonly annotations: Annotation[] = [];
  /** Message items announced with `phase: "commentary"`: their text is a preamble, not the answer (made at the first). */
  private commentaryItems: Set<string> | undefined;
  /**
   * The message item whose deltas `text` ends with, and where they start in it: its text
   * moves to `commentary` if its phase only shows up at `done`.
   */
  private openItemId = "";
  private openTextStart = 0;
  /** Message items whose refusal arrived as deltas (the rest carry it only in their final content; made at the first). */
  private refusalItems: Set<string> | undefined;
  private readonly calls: FunctionCall[] = [];
  private readonly items: Json[] = [];
  /** A relay's finished output items as JSON text (relay() says `keep`), decoded at the end only if needed. */
  private kept: string[] | undefined;
  /** Set once a terminal event was seen; nothing after it is read. */
  result?: ResponseResult;

  constructor(private readonly context: { requestId?: string; rateLimits?: () => RateLimitSnapshot | undefined; relay?: boolean } = {}) {}

  /**
   * How a pass-through (`rawEvents: "sse"`) treats an event type. The backend's own
   * `codex.*` events and its `response.metadata` (docs/protocol.md#codex-rate-limits) are
   * read (for rate limits) and not relayed: they are not Responses events (the openai
   * SDK's stream helper throws on them), and they come before `response.created`, so
   * relaying one would also count the stream as started and rule out a retry.
   */
  relay(type: string): "pass" | "read" | "own" | "keep" | "last" {
    // A relay reads the terminal events (the response with its status and usage) and
    // errors. A finished answer's terminal event goes out before it is decoded (`last`),
    // so the relay can end its own answer first; a failure is decoded first, as it
    // decides whether the call is retried or answered with an error status. Finished
    // output items are kept as text, decoded only when the terminal response leaves its
    // output empty, as the ChatGPT backend does (api.openai.com sends it again in
    // `response.completed`). Deltas and the rest pass as bytes, and so do the
    // opening events (`response.created`, `.queued`, `.in_progress`): they repeat the
    // request's instructions and tools, often tens of KB, and a relay reads them only to
    // rewrite them, which it asks for itself (CallOptions.decode). A switch, not a set:
    // `type` is a new string per event, and comparing it (mostly a length check) is
    // cheaper than hashing it.
    switch (type) {
      case "response.completed":
      case "response.done":
      case "response.incomplete":
        return "last";
      case "response.failed":
      case "error":
        return "read";
      case "response.output_item.done":
        return "keep";
      case "response.metadata":
        return "own";
    }
    return type.startsWith("codex.") ? "own" : "pass";
  }

  keep(data: string): void {
    (this.kept ??= []).push(data);
  }

  /**
   * Map one decoded event onto `out` (appended, no array per event); throws a
   * ProviderError for failure events. Unknown event types map to nothing.
   */
  map(event: Json, out: StreamEvent[]): void {
    switch (event.type) {
      case "response.created": {
        const response = (event.response ?? {}) as Json;
        this.id = asString(response.id);
        this.model = asString(response.model);
        out.push({ type: "created", id: this.id, model: this.model });
        return;
      }
      case "response.output_text.delta":
        out.push(this.textDelta(asString(event.item_id), asString(event.delta)));
        return;
      case "response.refusal.delta": {
        const delta = asString(event.delta);
        const itemId = asString(event.item_id);
        this.refusal += delta;
        (this.refusalItems ??= new Set()).add(itemId);
        out.push({ type: "refusal_delta", delta, itemId });
        return;
      }
      case "response.output_text.annotation.added": {
        const annotation = event.annotation;
        if (!annotation || typeof annotation !== "object" || typeof (annotation as Json).type !== "string") return;
        this.annotations.push(annotation as Annotation);
        out.push({ type: "annotation", annotation: annotation as Annotation, itemId: asString(event.item_id) });
        return;
      }
      case "response.reasoning_summary_text.delta": {
        const delta = asString(event.delta);
        this.reasoning += delta;
        out.push({ type: "reasoning_summary_delta", delta, itemId: asString(event.item_id) });
        return;
      }
      case "response.reasoning_summary_part.added": {
        // Separate summary parts the way ChatGPT shows them, in the stream as in the result.
        if (!this.reasoning || !(Number(event.summary_index) > 0)) return;
        this.reasoning += "\n\n";
        out.push({ type: "reasoning_summary_delta", delta: "\n\n", itemId: asString(event.item_id) });
        return;
      }
      case "response.reasoning_text.delta": {
        const delta = asString(event.delta);
        this.reasoningText += delta;
        out.push({ type: "reasoning_text_delta", delta, itemId: asString(event.item_id) });
        return;
      }
      case "response.output_item.added": {
        const item = (event.item ?? {}) as Json;
        if (item.type === "message" && item.phase === "commentary") (this.commentaryItems ??= new Set()).add(asString(item.id));
        const call = toolCall(item);
        if (call) out.push({ type: "function_call_start", itemId: asString(item.id), callId: call.callId, name: call.name, kind: call.kind });
        return;
      }
      case "response.function_call_arguments.delta":
      case "response.custom_tool_call_input.delta":
        out.push({ type: "function_call_arguments_delta", delta: asString(event.delta), itemId: asString(event.item_id) });
        return;
      case "response.output_item.done":
        this.itemDone((event.item ?? {}) as Json, out);
        return;
      case "codex.rate_limits":
        out.push({ type: "rate_limits", rateLimits: parseRateLimitEvent(event) });
        return;
      case "response.completed":
      case "response.done":
        this.finish((event.response ?? {}) as Json, undefined, undefined, out);
        return;
      case "response.incomplete": {
        const response = (event.response ?? {}) as Json;
        const reason = asString(((response.incomplete_details ?? {}) as Json).reason) || "unknown";
        const stop: StopReason = reason === "max_output_tokens" ? "length" : reason === "content_filter" ? "content_filter" : "incomplete";
        this.finish(response, stop, reason, out);
        return;
      }
      case "response.failed": {
        const response = (event.response ?? {}) as Json;
        throw classifyFacts(errorFacts({ error: response.error ?? { message: "The response failed." } }), {
          requestId: this.context.requestId,
          rateLimits: this.context.rateLimits?.(),
        });
      }
      case "error":
        throw classifyFacts(errorFacts(event.error && typeof event.error === "object" ? event : { error: event }), {
          requestId: this.context.requestId,
          headers: lowerCaseHeaders(event.headers),
          rateLimits: this.context.rateLimits?.(),
        });
    }
  }

  /** The kept `output_item.done` events' items; text that does not decode is skipped, as the transport skips such an event. */
  private keptItems(): Json[] {
    const items: Json[] = [];
    for (const data of this.kept ?? []) {
      try {
        const event = JSON.parse(data) as Json;
        if (event.item && typeof event.item === "object") items.push(event.item as Json);
      } catch {
        // Undecodable: as if the event never came.
      }
    }
    return items;
  }

  private textDelta(itemId: string, delta: string): StreamEvent {
    if (this.commentaryItems?.has(itemId)) {
      this.commentary += delta;
      return { type: "commentary_delta", delta, itemId };
    }
    if (this.openItemId !== itemId) {
      this.openItemId = itemId;
      this.openTextStart = this.text.length;
    }
    this.text += delta;
    return { type: "text_delta", delta, itemId };
  }

  private itemDone(item: Json, out: StreamEvent[]): void {
    this.items.push(item);
    const itemId = asString(item.id);
    if (item.type === "message") {
      // A phase named only on the finished item still keeps the preamble out of the answer.
      if (item.phase === "commentary" && !this.commentaryItems?.has(itemId) && this.openItemId === itemId) {
        this.commentary += this.text.slice(this.openTextStart);
        this.text = this.text.slice(0, this.openTextStart);
      }
      // A refusal sent only inside the finished item (no deltas) must not be lost.
      const refusal = this.refusalItems?.has(itemId) ? "" : refusalOf(item);
      if (refusal) {
        this.refusal += refusal;
        out.push({ type: "refusal_delta", delta: refusal, itemId });
      }
    }
    out.push({ type: "output_item_done", item });
    const call = toolCall(item);
    if (call) {
      this.calls.push(call);
      out.push({ type: "function_call", call });
    }
  }

  /** `stopReason` undefined: a completed response, stopped for its tool calls if it made any. */
  private finish(response: Json, stopReason: StopReason | undefined, incompleteReason: string | undefined, out: StreamEvent[]): void {
    const usage = parseUsage(response.usage);
    const sent = Array.isArray(response.output) && response.output.length > 0 ? (response.output as Json[]) : undefined;
    // A relay's items were kept as text: the terminal response's output stands for them
    // when it has one; otherwise they are decoded now. Either way they are mapped here.
    if (this.kept) for (const item of sent ?? this.keptItems()) this.itemDone(item, out);
    const output = sent ?? this.items;
    this.result = {
      id: asString(response.id) || this.id,
      model: asString(response.model) || this.model,
      text: this.text,
      commentary: this.commentary,
      refusal: this.refusal || undefined,
      reasoningSummary: this.reasoning,
      reasoningText: this.reasoningText,
      annotations: this.annotations,
      functionCalls: this.calls,
      output,
      usage,
      stopReason: stopReason ?? (this.calls.length > 0 ? "tool_calls" : "stop"),
      incompleteReason,
      rateLimits: this.context.rateLimits?.(),
      requestId: this.context.requestId,
    };
    if (usage) out.push({ type: "usage", usage });
    out.push(this.context.relay ? { type: "done", result: this.result, response } : { type: "done", result: this.result });
  }
}

function lowerCaseHeaders(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== "object") return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Json)) out[k.toLowerCase()] = String(v);
  return out;
}
