// Typed StreamEvents -> Responses stream events, for upstreams that do not speak
// Responses (Chat Completions providers). Emits the "full" event set of docs/protocol.md#server-event-set
// — created, item added, content part added, deltas, the matching `.done` events,
// item done, and one terminal event with `output` and `usage` — which satisfies Codex
// CLI and both openai SDK entry points.
import { randomBytes } from "node:crypto";
import type { ResponseResult, StreamEvent, Usage } from "../types.js";

type Json = Record<string, unknown>;

interface OpenItem {
  /** A refusal is a message whose one content part is `refusal` instead of `output_text`. */
  kind: "message" | "refusal" | "reasoning";
  id: string;
  index: number;
  text: string;
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("hex")}`;
}

function wireUsage(usage: Usage | undefined): Json | null {
  if (!usage) return null;
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
  };
}

// `logprobs: []` as the Platform sends it: the openai SDK types it as a required array on
// the text events (docs/protocol.md#server-event-set), so a client may read it unchecked.
function messagePart(kind: "message" | "refusal", text: string): Json {
  return kind === "refusal" ? { type: "refusal", refusal: text } : { type: "output_text", text, annotations: [], logprobs: [] };
}

export class ResponsesSynthesizer {
  private sequence = 0;
  private readonly output: Json[] = [];
  private open?: OpenItem;
  private readonly shell: Json;

  constructor(model: string) {
    this.shell = { id: newId("resp"), object: "response", created_at: Math.floor(Date.now() / 1000), model, status: "in_progress", output: [] };
  }

  private event(type: string, fields: Json): Json {
    return { type, sequence_number: this.sequence++, ...fields };
  }

  /** The opening events, sent once the upstream accepted the request. */
  start(): Json[] {
    return [this.event("response.created", { response: this.shell }), this.event("response.in_progress", { response: this.shell })];
  }

  map(event: StreamEvent): Json[] {
    switch (event.type) {
      case "text_delta":
        return this.delta("message", event.delta);
      case "refusal_delta":
        return this.delta("refusal", event.delta);
      case "reasoning_summary_delta":
        return this.delta("reasoning", event.delta);
      case "function_call": {
        const item = { id: newId("fc"), type: "function_call", status: "completed", call_id: event.call.callId, name: event.call.name, arguments: event.call.arguments };
        const index = this.output.length;
        this.output.push(item);
        return [
          ...this.close(),
          this.event("response.output_item.added", { output_index: index, item: { ...item, status: "in_progress", arguments: "" } }),
          this.event("response.function_call_arguments.done", { item_id: item.id, output_index: index, arguments: item.arguments }),
          this.event("response.output_item.done", { output_index: index, item }),
        ];
      }
      case "done":
        return [...this.close(), this.finish(event.result)];
      default:
        return [];
    }
  }

  private delta(kind: OpenItem["kind"], delta: string): Json[] {
    const events = this.open?.kind === kind ? [] : [...this.close(), ...this.begin(kind)];
    const item = this.open!;
    item.text += delta;
    const where = { item_id: item.id, output_index: item.index };
    events.push(
      kind === "reasoning"
        ? this.event("response.reasoning_summary_text.delta", { ...where, summary_index: 0, delta })
        : kind === "refusal"
          ? this.event("response.refusal.delta", { ...where, content_index: 0, delta })
          : this.event("response.output_text.delta", { ...where, content_index: 0, delta, logprobs: [] }),
    );
    return events;
  }

  private begin(kind: OpenItem["kind"]): Json[] {
    const item: OpenItem = { kind, id: newId(kind === "reasoning" ? "rs" : "msg"), index: this.output.length, text: "" };
    this.open = item;
    // Reserve the slot so later items get the next index.
    this.output.push({});
    const where = { item_id: item.id, output_index: item.index };
    return kind !== "reasoning"
      ? [
          this.event("response.output_item.added", { output_index: item.index, item: { id: item.id, type: "message", role: "assistant", status: "in_progress", content: [] } }),
          this.event("response.content_part.added", { ...where, content_index: 0, part: messagePart(kind, "") }),
        ]
      : [
          this.event("response.output_item.added", { output_index: item.index, item: { id: item.id, type: "reasoning", summary: [] } }),
          this.event("response.reasoning_summary_part.added", { ...where, summary_index: 0, part: { type: "summary_text", text: "" } }),
        ];
  }

  private close(): Json[] {
    const item = this.open;
    if (!item) return [];
    this.open = undefined;
    const where = { item_id: item.id, output_index: item.index };
    if (item.kind !== "reasoning") {
      const part = messagePart(item.kind, item.text);
      const done = { id: item.id, type: "message", role: "assistant", status: "completed", content: [part] };
      this.output[item.index] = done;
      return [
        item.kind === "refusal"
          ? this.event("response.refusal.done", { ...where, content_index: 0, refusal: item.text })
          : this.event("response.output_text.done", { ...where, content_index: 0, text: item.text, logprobs: [] }),
        this.event("response.content_part.done", { ...where, content_index: 0, part }),
        this.event("response.output_item.done", { output_index: item.index, item: done }),
      ];
    }
    const part = { type: "summary_text", text: item.text };
    const done = { id: item.id, type: "reasoning", summary: [part] };
    this.output[item.index] = done;
    return [
      this.event("response.reasoning_summary_text.done", { ...where, summary_index: 0, text: item.text }),
      this.event("response.reasoning_summary_part.done", { ...where, summary_index: 0, part }),
      this.event("response.output_item.done", { output_index: item.index, item: done }),
    ];
  }

  private finish(result: ResponseResult): Json {
    const incomplete = result.stopReason === "length" || result.stopReason === "content_filter" || result.stopReason === "incomplete";
    const response = {
      ...this.shell,
      status: incomplete ? "incomplete" : "completed",
      output: this.output,
      usage: wireUsage(result.usage),
      incomplete_details: incomplete ? { reason: result.incompleteReason ?? "max_output_tokens" } : null,
    };
    return this.event(incomplete ? "response.incomplete" : "response.completed", { response });
  }
}
