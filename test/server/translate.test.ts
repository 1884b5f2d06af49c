// Unit tests for the translation and error layers: Chat Completions -> ModelRequest,
// typed results -> Chat objects, drop decisions, and ProviderError -> HTTP answers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProviderError } from "#src/errors.js";
import type { ResponseResult } from "#src/types.js";
import { chatToModelRequest } from "#src/wire/chat-to-request.js";
import { ChatChunks, chatCompletion } from "#src/wire/chat-response.js";
import { errorAnswer } from "#src/server/errors.js";
import { ServerError } from "#src/wire/server-error.js";
import { dropFromBody, dropFromRequest, rejectedParam } from "#src/server/upstream.js";

const context = { provider: "chatgpt-codex", profile: "default", now: Date.UTC(2026, 0, 1, 12, 0, 0) };

function rejects(body: Record<string, unknown>, param: string): void {
  assert.throws(() => chatToModelRequest({ model: "m", messages: [{ role: "user", content: "x" }], ...body }), (error: unknown) => {
    assert.ok(error instanceof ServerError);
    assert.equal(error.status, 400);
    assert.equal(error.options.param, param);
    return true;
  });
}

describe("Chat Completions request -> ModelRequest", () => {
  it("maps messages, tools and options", () => {
    const call = chatToModelRequest({
      model: "gpt-5.5",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Use tools." }] },
        { role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "data:image/png;base64,AA", detail: "low" } }] },
        { role: "assistant", content: "Checking.", tool_calls: [{ id: "call_1", type: "function", function: { name: "get", arguments: '{"a":1}' } }] },
        { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: "done" }] },
        { role: "system", content: "Late rule." },
      ],
      tools: [{ type: "function", function: { name: "get", parameters: { type: "object" }, strict: true } }],
      tool_choice: { type: "function", function: { name: "get" } },
      max_completion_tokens: 99,
      reasoning_effort: "low",
      verbosity: "high",
      response_format: { type: "json_schema", json_schema: { name: "out", schema: { type: "object" }, strict: true } },
      stream: true,
      stream_options: { include_usage: true },
      seed: 1,
      x_vendor_field: true,
      stop: [],
      n: 1,
    });
    const { request } = call;
    assert.equal(request.instructions, "Be brief.\n\nUse tools.");
    assert.deepEqual(request.input, [
      { type: "message", role: "user", content: [{ type: "text", text: "look" }, { type: "image", url: "data:image/png;base64,AA", detail: "low" }] },
      { type: "message", role: "assistant", content: "Checking." },
      { type: "function_call", callId: "call_1", name: "get", arguments: '{"a":1}' },
      { type: "function_call_output", callId: "call_1", output: "done" },
      { type: "message", role: "system", content: "Late rule." },
    ]);
    assert.deepEqual(request.tools, [{ type: "function", name: "get", description: undefined, parameters: { type: "object" }, strict: true }]);
    assert.deepEqual(request.toolChoice, { type: "function", name: "get" });
    assert.equal(request.maxOutputTokens, 99);
    assert.deepEqual(request.reasoning, { effort: "low" });
    assert.deepEqual(request.extraBody, { text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true, description: undefined }, verbosity: "high" } });
    assert.equal(request.text, undefined);
    assert.equal(call.stream, true);
    assert.equal(call.includeUsage, true);
    assert.deepEqual(call.dropped, ["seed", "x_vendor_field"]);
  });

  it("refuses what cannot be honoured", () => {
    rejects({ n: 2 }, "n");
    rejects({ stop: ["\n"] }, "stop");
    rejects({ logprobs: true }, "logprobs");
    rejects({ functions: [] }, "functions");
    rejects({ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] }, "messages[0].content[0].type");
    rejects({ messages: [{ role: "function", name: "f", content: "x" }] }, "messages[0].role");
    rejects({ messages: [] }, "messages");
    rejects({ tools: [{ type: "custom", custom: { name: "x" } }] }, "tools[0].type");
    rejects({ temperature: "hot" }, "temperature");
  });

  it("drops fields behind upstream rejections under the client's names", () => {
    const call = chatToModelRequest({ model: "m", messages: [{ role: "user", content: "x" }], max_tokens: 5, temperature: 1, user: "u1" });
    assert.equal(dropFromRequest(call.request, "max_output_tokens", call.clientNames), "max_tokens");
    assert.equal(call.request.maxOutputTokens, undefined);
    assert.equal(dropFromRequest(call.request, "user"), "user");
    assert.equal(dropFromRequest(call.request, "top_p"), undefined, "not set");
    assert.equal(dropFromRequest(call.request, "previous_response_id"), undefined, "not safe");
  });
});

describe("Responses body drops", () => {
  it("drops safe fields and hosted tools, never function tools or meaningful fields", () => {
    const body: Record<string, unknown> = { temperature: 1, previous_response_id: "r", tools: [{ type: "function", name: "f" }, { type: "tool_search" }] };
    assert.equal(dropFromBody(body, "tools[1]"), "tools[tool_search]");
    assert.deepEqual(body.tools, [{ type: "function", name: "f" }]);
    assert.equal(dropFromBody(body, "tools[0]"), undefined);
    assert.equal(dropFromBody(body, "temperature"), "temperature");
    assert.equal(dropFromBody(body, "previous_response_id"), undefined);
    assert.equal(body.previous_response_id, "r");
  });

  it("reads the rejected field from param or from the backend's message", () => {
    assert.equal(rejectedParam(new ProviderError("unsupported_parameter", "x", { param: "top_p" })), "top_p");
    assert.equal(rejectedParam(new ProviderError("unsupported_parameter", "Unsupported parameter: max_output_tokens")), "max_output_tokens");
    assert.equal(rejectedParam(new ProviderError("bad_request", "Unsupported parameter: 'temperature' is not supported with this model.")), "temperature");
    assert.equal(rejectedParam(new ProviderError("rate_limited", "Unsupported parameter: x")), undefined);
  });
});

describe("results -> Chat Completions objects", () => {
  const result: ResponseResult = {
    id: "resp_1",
    model: "gpt-5.5",
    text: "",
    commentary: "",
    reasoningSummary: "",
    reasoningText: "",
    annotations: [],
    functionCalls: [{ callId: "call_9", name: "get", arguments: "{}" }],
    output: [],
    usage: { inputTokens: 10, cachedInputTokens: 4, outputTokens: 3, reasoningTokens: 2, totalTokens: 13 },
    stopReason: "tool_calls",
  };
  const identity = { id: "chatcmpl-1", created: 1, model: "gpt-5.5" };

  it("builds a completion with tool calls and usage", () => {
    const completion = chatCompletion(identity, result) as any;
    assert.equal(completion.choices[0].message.content, null);
    assert.deepEqual(completion.choices[0].message.tool_calls, [{ id: "call_9", type: "function", function: { name: "get", arguments: "{}" } }]);
    assert.equal(completion.choices[0].finish_reason, "tool_calls");
    assert.deepEqual(completion.usage, { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } });
    assert.equal((chatCompletion(identity, { ...result, functionCalls: [], stopReason: "length", text: "cut" }) as any).choices[0].finish_reason, "length");
  });

  it("streams chunks with usage: null until the last usage chunk", () => {
    const chunks = new ChatChunks(identity, true);
    assert.equal((chunks.text("hi") as any).usage, null);
    const [finish, usage] = chunks.finish(result) as any[];
    assert.equal(finish.choices[0].finish_reason, "tool_calls");
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage.total_tokens, 13);
    assert.equal((new ChatChunks(identity, false).text("hi") as any).usage, undefined);
  });
});

describe("errors -> HTTP answers", () => {
  it("gives a usage limit a 429 with the reset time and Codex's fields", () => {
    const resetsAt = context.now + 2 * 3600_000 + 14 * 60_000;
    const answer = errorAnswer(new ProviderError("usage_limit_reached", "You have hit your usage limit.", { resetsAt, planType: "plus", upstreamCode: "usage_limit_reached" }), context);
    assert.equal(answer.status, 429);
    assert.equal(answer.headers["x-should-retry"], "false");
    assert.equal(answer.body.error.type, "usage_limit_reached");
    assert.equal(answer.body.error.resets_at, Math.floor(resetsAt / 1000));
    assert.equal(answer.body.error.resets_in_seconds, 8040);
    assert.equal(answer.body.error.plan_type, "plus");
    assert.equal(answer.body.error.message, "You have hit your usage limit. The limit resets at 2026-01-01T14:14:00.000Z (in 2 h 14 min).");
  });

  it("tells the client which login command fixes a missing sign-in", () => {
    const answer = errorAnswer(new ProviderError("login_required", "Not signed in."), { ...context, profile: "work" });
    assert.equal(answer.status, 401);
    assert.match(String(answer.body.error.message), /codex-provider login --provider chatgpt-codex --profile work$/);
  });

  it("maps gateway failures and passes retry hints", () => {
    const limited = errorAnswer(new ProviderError("rate_limited", "slow down", { retryable: true, retryAfterMs: 1500, upstreamCode: "rate_limit_exceeded" }), context);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers["retry-after"], "2");
    assert.equal(limited.headers["retry-after-ms"], "1500");
    assert.equal(limited.body.error.code, "rate_limit_exceeded");
    assert.equal(errorAnswer(new ProviderError("network_error", "down", { retryable: true }), context).status, 502);
    assert.equal(errorAnswer(new ProviderError("idle_timeout", "stalled", { retryable: true }), context).status, 504);
    assert.equal(errorAnswer(new ProviderError("server_overloaded", "busy", { retryable: true }), context).status, 503);
    assert.equal(errorAnswer(new ProviderError("unsupported_parameter", "no", { param: "stop" }), context).body.error.param, "stop");
  });

  it("hides unexpected failures", () => {
    const answer = errorAnswer(new TypeError("secret detail"), context);
    assert.equal(answer.status, 500);
    assert.ok(!JSON.stringify(answer).includes("secret detail"));
  });
});
