// Chat Completions wire format without a server: request bodies from the common request
// shape, and chunk streams mapped to the same typed events as Responses streams.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProviderError } from "#src/errors.js";
import { buildChatBody } from "#src/wire/chat-request.js";
import { ChatEventMapper } from "#src/wire/chat-events.js";
import type { StreamEvent } from "#src/types.js";

function mapper() {
  return new ChatEventMapper({ requestId: "req_1", rateLimits: () => undefined });
}

const base = { id: "chatcmpl-1", object: "chat.completion.chunk", model: "m1" };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });

/** Feed chunks, then `[DONE]`, as the transport does. */
function run(chunks: Record<string, unknown>[], done = true): StreamEvent[] {
  const m = mapper();
  const events: StreamEvent[] = [];
  for (const c of chunks) m.map(c, events);
  if (done) m.onDone(events);
  return events;
}

describe("chat request body", () => {
  it("puts instructions first as a system message, keeps images, and asks for usage", () => {
    const body = buildChatBody(
      {
        instructions: "Be brief",
        input: [
          { type: "message", role: "developer", content: "dev note" },
          { type: "message", role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image", url: "data:image/png;base64,AAAA", detail: "low" }] },
        ],
        reasoning: { effort: "high", summary: "auto" },
        text: { verbosity: "low" },
        maxOutputTokens: 100,
        temperature: 0.2,
      },
      "m1",
    );
    assert.deepEqual(body.messages, [
      { role: "system", content: "Be brief" },
      { role: "system", content: "dev note" },
      { role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "low" } }] },
    ]);
    assert.equal(body.reasoning_effort, "high");
    assert.equal(body.verbosity, "low");
    assert.equal(body.max_completion_tokens, 100);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
  });

  it("turns tools, parallel function calls and tool results into Chat messages", () => {
    const body = buildChatBody(
      {
        input: [
          { type: "message", role: "user", content: "weather in Paris and Rome?" },
          { type: "function_call", callId: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
          { type: "function_call", callId: "call_b", name: "get_weather", arguments: '{"city":"Rome"}' },
          { type: "function_call_output", callId: "call_a", output: "sunny" },
          { type: "function_call_output", callId: "call_b", output: "rain" },
        ],
        tools: [{ type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } }],
        toolChoice: { type: "function", name: "get_weather" },
        parallelToolCalls: true,
      },
      "m1",
    );
    const messages = body.messages as Record<string, unknown>[];
    assert.deepEqual(messages[1], {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { id: "call_b", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
      ],
    });
    assert.deepEqual(messages.slice(2), [
      { role: "tool", tool_call_id: "call_a", content: "sunny" },
      { role: "tool", tool_call_id: "call_b", content: "rain" },
    ]);
    assert.deepEqual(body.tools, [
      { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
    ]);
    assert.deepEqual(body.tool_choice, { type: "function", function: { name: "get_weather" } });
    assert.equal(body.parallel_tool_calls, true);
  });

  it("replays Responses output items (what result.output holds) and drops reasoning", () => {
    const body = buildChatBody(
      {
        input: [
          { type: "message", role: "user", content: "hi" },
          { type: "raw", item: { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "x" } },
          { type: "raw", item: { type: "message", role: "assistant", content: [{ type: "output_text", text: "hello" }] } },
          { type: "message", role: "user", content: "again" },
        ],
      },
      "m1",
    );
    assert.deepEqual(body.messages, [
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
      { role: "user", content: "again" },
    ]);
  });

  it("refuses what Chat Completions cannot carry, before any network call", () => {
    assert.throws(() => buildChatBody({ input: "hi", previousResponseId: "resp_1" }, "m1"), (e: unknown) => e instanceof ProviderError && e.code === "unsupported_parameter" && e.param === "previous_response_id");
    assert.throws(() => buildChatBody({ input: [{ type: "raw", item: { type: "web_search_call" } }] }, "m1"), /web_search_call/);
  });
});

describe("chat stream mapping", () => {
  it("streams text, then usage from the include_usage chunk, then done", () => {
    const events = run([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Hel" }),
      chunk({ content: "lo" }),
      chunk({}, "stop"),
      { ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 0 } } },
    ]);
    assert.deepEqual(events.map((e) => e.type), ["created", "text_delta", "text_delta", "output_item_done", "usage", "done"]);
    const done = events.at(-1) as Extract<StreamEvent, { type: "done" }>;
    assert.equal(done.result.text, "Hello");
    assert.equal(done.result.stopReason, "stop");
    assert.equal(done.result.id, "chatcmpl-1");
    assert.equal(done.result.requestId, "req_1");
    assert.deepEqual(done.result.usage, { inputTokens: 5, cachedInputTokens: 1, outputTokens: 2, reasoningTokens: 0, totalTokens: 7 });
    assert.deepEqual(done.result.output, [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "Hello" }] }]);
  });

  it("assembles interleaved tool-call fragments by index", () => {
    const events = run([
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "get_time", arguments: '{"tz"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: ':"UTC"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({}, "tool_calls"),
    ]);
    const deltas = events.filter((e) => e.type === "function_call_arguments_delta");
    assert.equal(deltas.length, 4);
    const starts = events.filter((e) => e.type === "function_call_start").map((e) => (e.type === "function_call_start" ? [e.callId, e.name] : []));
    assert.deepEqual(starts, [["call_a", "get_weather"], ["call_b", "get_time"]], "each call announced once, when its name arrives");
    const calls = events.filter((e): e is Extract<StreamEvent, { type: "function_call" }> => e.type === "function_call").map((e) => e.call);
    assert.deepEqual(calls, [
      { callId: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
      { callId: "call_b", name: "get_time", arguments: '{"tz":"UTC"}' },
    ]);
    const done = events.at(-1) as Extract<StreamEvent, { type: "done" }>;
    assert.equal(done.result.stopReason, "tool_calls");
    assert.deepEqual(done.result.output.map((item) => item.call_id), ["call_a", "call_b"]);
  });

  it("maps finish reasons: length is incomplete, tool calls under \"stop\" are still tool calls", () => {
    const length = run([chunk({ content: "cut" }), chunk({}, "length")]).at(-1) as Extract<StreamEvent, { type: "done" }>;
    assert.equal(length.result.stopReason, "length");
    assert.equal(length.result.incompleteReason, "max_output_tokens");
    const filtered = run([chunk({ content: "x" }), chunk({}, "content_filter")]).at(-1) as Extract<StreamEvent, { type: "done" }>;
    assert.equal(filtered.result.stopReason, "content_filter");
    const ollama = run([chunk({ tool_calls: [{ index: 0, id: "c", function: { name: "f", arguments: "{}" } }] }), chunk({}, "stop")]).at(-1) as Extract<StreamEvent, { type: "done" }>;
    assert.equal(ollama.result.stopReason, "tool_calls");
  });

  it("passes reasoning text from compatible servers through as reasoning deltas", () => {
    const events = run([chunk({ reasoning_content: "thinking" }), chunk({ content: "answer" }), chunk({}, "stop")]);
    assert.equal(events[1].type, "reasoning_summary_delta");
    const done = events.at(-1) as Extract<StreamEvent, { type: "done" }>;
    assert.equal(done.result.reasoningSummary, "thinking");
  });

  it("[DONE] without a finish_reason is a truncated stream, not a success", () => {
    assert.throws(
      () => run([chunk({ content: "partial" })]),
      (e: unknown) => e instanceof ProviderError && e.code === "stream_truncated" && e.retryable,
    );
  });

  it("an in-band error object is classified like any other error", () => {
    const m = mapper();
    m.map(chunk({ content: "partial" }), []);
    assert.throws(
      () => m.map({ error: { message: "Rate limit reached. Please try again in 20ms.", type: "requests", code: "rate_limit_exceeded" } }, []),
      (e: unknown) => e instanceof ProviderError && e.code === "rate_limited" && e.requestId === "req_1",
    );
  });
});
