// Our typed events and final result -> Chat Completions objects: the
// `chat.completion` answer and the `chat.completion.chunk` stream (role chunk,
// content deltas, tool calls, a finish chunk, and with `include_usage` a last chunk
// with empty `choices` and the usage, as OpenAI sends them).
import type { Annotation, FunctionCall, ResponseResult, Usage } from "../types.js";

type Json = Record<string, unknown>;

export interface ChatIdentity {
  id: string;
  created: number;
  model: string;
}

function finishReason(result: ResponseResult): string {
  switch (result.stopReason) {
    case "tool_calls":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    // Cut short for any reason: the text is incomplete, which Chat calls `length`.
    case "length":
    case "incomplete":
      return "length";
    default:
      return "stop";
  }
}

function chatUsage(usage: Usage | undefined): Json | undefined {
  if (!usage) return undefined;
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/** A custom tool call keeps its own Chat shape (`type: "custom"`, free-form `input`). */
function toolCall(call: FunctionCall): Json {
  if (call.kind === "custom") return { id: call.callId, type: "custom", custom: { name: call.name, input: call.arguments } };
  return { id: call.callId, type: "function", function: { name: call.name, arguments: call.arguments } };
}

/** Responses' flat `url_citation` -> Chat's nested one; Chat has no shape for the other annotation types. */
function chatAnnotations(annotations: Annotation[]): Json[] {
  return annotations
    .filter((a) => a.type === "url_citation")
    .map(({ start_index, end_index, title, url }) => ({ type: "url_citation", url_citation: { start_index, end_index, title, url } }));
}

export function chatCompletion(identity: ChatIdentity, result: ResponseResult): Json {
  // Commentary (preambles) never joins `content`: Chat has no phase to tell it apart.
  const empty = result.functionCalls.length > 0 || result.refusal !== undefined;
  const message: Json = { role: "assistant", content: result.text || (empty ? null : ""), refusal: result.refusal ?? null, annotations: chatAnnotations(result.annotations) };
  if (result.functionCalls.length) message.tool_calls = result.functionCalls.map(toolCall);
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(result) }],
    usage: chatUsage(result.usage) ?? null,
    system_fingerprint: null,
  };
}

export class ChatChunks {
  private toolIndex = 0;

  constructor(
    private readonly identity: ChatIdentity,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(choices: Json[], usage?: Json): Json {
    const chunk: Json = { id: this.identity.id, object: "chat.completion.chunk", created: this.identity.created, model: this.identity.model, choices };
    // With include_usage, OpenAI puts `usage: null` on every chunk but the last.
    if (this.includeUsage) chunk.usage = usage ?? null;
    return chunk;
  }

  private delta(delta: Json, finish: string | null = null): Json {
    return this.chunk([{ index: 0, delta, logprobs: null, finish_reason: finish }]);
  }

  role(): Json {
    return this.delta({ role: "assistant", content: "", refusal: null });
  }

  text(delta: string): Json {
    return this.delta({ content: delta });
  }

  refusal(delta: string): Json {
    return this.delta({ refusal: delta });
  }

  /** A whole tool call in one chunk: the typed stream names a call only once it is complete. */
  toolCall(call: FunctionCall): Json {
    return this.delta({ tool_calls: [{ index: this.toolIndex++, ...toolCall(call) }] });
  }

  finish(result: ResponseResult): Json[] {
    const chunks = [this.delta({}, finishReason(result))];
    if (this.includeUsage) chunks.push(this.chunk([], chatUsage(result.usage)));
    return chunks;
  }
}
