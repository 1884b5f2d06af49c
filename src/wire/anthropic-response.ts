// Our typed events and final result -> Anthropic Messages objects
// (docs/protocol.md#anthropic-messages): the `message` answer, and the stream
// `message_start`, `ping`, per block `content_block_start` / `_delta` / `_stop`,
// `message_delta` (stop reason, usage) and `message_stop`. Reasoning summaries become
// `thinking` blocks, function calls `tool_use` blocks whose input streams as
// `input_json_delta`.
import { randomBytes } from "node:crypto";
import type { FunctionCall, ResponseResult, StreamEvent, Usage } from "../types.js";
import { ServerError } from "./server-error.js";

type Json = Record<string, unknown>;

/** One SSE event: Anthropic names every event, and the name equals `data.type`. */
interface AnthropicFrame {
  event: string;
  data: Json;
}

export function newMessageId(): string {
  return `msg_${randomBytes(12).toString("hex")}`;
}

function stopReason(result: ResponseResult): string {
  if (result.refusal !== undefined) return "refusal";
  switch (result.stopReason) {
    case "tool_calls":
      return "tool_use";
    case "content_filter":
      return "refusal";
    // Cut short: the text is incomplete, which Anthropic calls `max_tokens`.
    case "length":
    case "incomplete":
      return "max_tokens";
    default:
      return "end_turn";
  }
}

/** Anthropic counts cached input apart: `input_tokens` + `cache_read_input_tokens` is the whole prompt. */
export function anthropicUsage(usage: Usage | undefined): Json {
  const input = usage?.inputTokens ?? 0;
  const cached = usage?.cachedInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, input - cached),
    output_tokens: usage?.outputTokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

function toolInput(call: FunctionCall): unknown {
  if (call.arguments === "") return {};
  try {
    return JSON.parse(call.arguments);
  } catch {
    throw new ServerError(502, `The model's arguments for tool ${call.name} are not valid JSON.`, "invalid_tool_arguments");
  }
}

function toolUse(call: FunctionCall, input: unknown): Json {
  return { type: "tool_use", id: call.callId, name: call.name, input };
}

export function anthropicMessage(id: string, model: string, result: ResponseResult): Json {
  const content: Json[] = [];
  if (result.reasoningSummary) content.push({ type: "thinking", thinking: result.reasoningSummary, signature: "" });
  // A refusal's explanation is the answer's text; `stop_reason: "refusal"` marks it.
  const text = result.text + (result.refusal ?? "");
  if (text) content.push({ type: "text", text });
  for (const call of result.functionCalls) content.push(toolUse(call, toolInput(call)));
  return { id, type: "message", role: "assistant", model, content, stop_reason: stopReason(result), stop_sequence: null, usage: anthropicUsage(result.usage) };
}

interface OpenBlock {
  kind: "thinking" | "text" | "tool_use";
  /** The upstream item (or call) the block belongs to. */
  key: string;
  index: number;
}

/** The stream of one answer: feed each typed event, get the frames to send. */
export class AnthropicFrames {
  private open?: OpenBlock;
  private nextIndex = 0;

  constructor(
    private readonly id: string,
    private readonly model: string,
  ) {}

  /** `message_start` with the empty message, and a `ping` as Anthropic sends after it. */
  start(): AnthropicFrame[] {
    const message = { id: this.id, type: "message", role: "assistant", model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(undefined) };
    return [frame({ type: "message_start", message }), frame({ type: "ping" })];
  }

  next(event: StreamEvent): AnthropicFrame[] {
    switch (event.type) {
      case "reasoning_summary_delta":
        return this.delta("thinking", event.itemId, { type: "thinking", thinking: "", signature: "" }, { type: "thinking_delta", thinking: event.delta });
      case "text_delta":
      case "refusal_delta":
        return this.delta("text", event.itemId, { type: "text", text: "" }, { type: "text_delta", text: event.delta });
      case "function_call_start":
        return [...this.close(), ...this.begin("tool_use", event.itemId, { type: "tool_use", id: event.callId, name: event.name, input: {} })];
      case "function_call_arguments_delta":
        return this.open?.kind === "tool_use" && this.open.key === event.itemId ? [this.blockDelta({ type: "input_json_delta", partial_json: event.delta })] : [];
      case "function_call":
        return this.finishCall(event.call);
      case "done":
        return [
          ...this.close(),
          frame({ type: "message_delta", delta: { stop_reason: stopReason(event.result), stop_sequence: null }, usage: anthropicUsage(event.result.usage) }),
          frame({ type: "message_stop" }),
        ];
      default:
        return [];
    }
  }

  /** A call whose start we saw is closed; one that arrived whole is sent as one block. */
  private finishCall(call: FunctionCall): AnthropicFrame[] {
    if (this.open?.kind === "tool_use" && (this.open.key === call.itemId || this.open.key === call.callId)) return this.close();
    return [
      ...this.close(),
      ...this.begin("tool_use", call.callId, toolUse(call, {})),
      this.blockDelta({ type: "input_json_delta", partial_json: call.arguments }),
      ...this.close(),
    ];
  }

  private delta(kind: OpenBlock["kind"], key: string, block: Json, delta: Json): AnthropicFrame[] {
    const opening = this.open?.kind === kind && this.open.key === key ? [] : [...this.close(), ...this.begin(kind, key, block)];
    return [...opening, this.blockDelta(delta)];
  }

  private begin(kind: OpenBlock["kind"], key: string, block: Json): AnthropicFrame[] {
    this.open = { kind, key, index: this.nextIndex++ };
    return [frame({ type: "content_block_start", index: this.open.index, content_block: block })];
  }

  private blockDelta(delta: Json): AnthropicFrame {
    return frame({ type: "content_block_delta", index: this.open!.index, delta });
  }

  private close(): AnthropicFrame[] {
    if (!this.open) return [];
    const { index } = this.open;
    this.open = undefined;
    return [frame({ type: "content_block_stop", index })];
  }
}

function frame(data: Json & { type: string }): AnthropicFrame {
  return { event: data.type, data };
}
