// Anthropic Messages bodies -> ModelRequest, and typed events -> Anthropic frames, at the
// edges the SDK tests do not reach: block order in a user turn, refused fields, dropped
// fields, a tool call that arrives whole, cached-token accounting.
import assert from "node:assert/strict";
import { it } from "node:test";
import { AnthropicFrames, anthropicUsage } from "#src/wire/anthropic-response.js";
import { messagesToModelRequest } from "#src/wire/anthropic-to-request.js";
import { ServerError } from "#src/wire/server-error.js";

it("puts tool results before the turn's text, and system messages in place", () => {
  const { request, dropped } = messagesToModelRequest({
    model: "claude-sonnet-4-6",
    max_tokens: 10,
    top_k: 5,
    metadata: { user_id: "u" },
    system: [{ type: "text", text: "A" }, { type: "text", text: "B" }],
    messages: [
      { role: "user", content: "q" },
      { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "s" }, { type: "tool_use", id: "toolu_1", name: "f", input: { a: 1 } }] },
      { role: "system", content: "between turns" },
      { role: "user", content: [{ type: "text", text: "and then" }, { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "r" }] }] },
    ],
  });
  assert.equal(request.instructions, "A\n\nB");
  assert.deepEqual(request.input, [
    { type: "message", role: "user", content: [{ type: "text", text: "q" }] },
    { type: "function_call", callId: "toolu_1", name: "f", arguments: '{"a":1}' },
    { type: "message", role: "system", content: "between turns" },
    { type: "function_call_output", callId: "toolu_1", output: "r" },
    { type: "message", role: "user", content: [{ type: "text", text: "and then" }] },
  ]);
  assert.deepEqual(dropped.sort(), ["metadata", "top_k"]);
});

it("refuses what it cannot honour with a 400 naming the field", () => {
  const base = { model: "claude-sonnet-4-6", messages: [{ role: "user", content: "hi" }] };
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ stop_sequences: ["X"] }, "stop_sequences"],
    [{ tools: [{ type: "web_search_20250305", name: "web_search" }] }, "tools[0].type"],
    [{ messages: [{ role: "user", content: [{ type: "document", source: {} }] }] }, "messages[0].content[0].type"],
    [{ messages: [] }, "messages"],
    [{ output_config: { effort: "extreme" } }, "output_config.effort"],
  ];
  for (const [extra, param] of cases) {
    assert.throws(() => messagesToModelRequest({ ...base, ...extra }), (error: unknown) => error instanceof ServerError && error.status === 400 && error.options.param === param, param);
  }
});

it("maps tool_choice, thinking and effort", () => {
  const { request } = messagesToModelRequest({
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    tool_choice: { type: "any", disable_parallel_tool_use: true },
    thinking: { type: "adaptive" },
    output_config: { effort: "max" },
  });
  assert.equal(request.toolChoice, "required");
  assert.equal(request.parallelToolCalls, false);
  assert.deepEqual(request.reasoning, { effort: "xhigh", summary: "auto" });
});

it("sends a tool call that arrived whole as one block with its input", () => {
  const frames = new AnthropicFrames("msg_1", "claude-sonnet-4-6");
  const sent = [
    ...frames.next({ type: "text_delta", delta: "hi", itemId: "m1" }),
    ...frames.next({ type: "function_call", call: { callId: "call_1", name: "f", arguments: '{"a":1}' } }),
  ];
  assert.deepEqual(
    sent.map((f) => [f.event, (f.data.content_block as { type?: string } | undefined)?.type ?? (f.data.delta as { type?: string } | undefined)?.type ?? f.data.index]),
    [["content_block_start", "text"], ["content_block_delta", "text_delta"], ["content_block_stop", 0], ["content_block_start", "tool_use"], ["content_block_delta", "input_json_delta"], ["content_block_stop", 1]],
  );
});

it("counts cached input apart, as Anthropic does", () => {
  assert.deepEqual(anthropicUsage({ inputTokens: 100, cachedInputTokens: 60, outputTokens: 5, reasoningTokens: 0, totalTokens: 105 }), {
    input_tokens: 40,
    output_tokens: 5,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 60,
  });
});
