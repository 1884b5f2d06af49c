// The real @anthropic-ai/sdk as a client of the local server's Messages endpoint, which
// translates to Responses and forwards to the emulator: text with and without streaming
// (Anthropic's event order), a tool loop across two turns with streamed input_json_delta,
// thinking from a reasoning summary, stop reasons, count_tokens, and errors in
// Anthropic's shape (bad key, usage limit with its reset time, refused fields).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { lookupOrderTool, rawRequest, startCodexStack, startStack, type Stack } from "./helpers.js";

const tools: Anthropic.Tool[] = [{ name: lookupOrderTool.name, description: lookupOrderTool.description, input_schema: lookupOrderTool.parameters as Anthropic.Tool.InputSchema }];

function client(stack: Stack, options: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}): Anthropic {
  return new Anthropic({ baseURL: stack.server.url, apiKey: stack.server.apiKey, maxRetries: 0, ...options });
}

function lastUpstreamBody(stack: Stack): Record<string, any> {
  return stack.emulator.requests.filter((r) => r.path.endsWith("/responses")).at(-1)!.body as Record<string, any>;
}

/** The SSE frames of a raw answer: each event's name and its JSON data. */
function frames(body: string): { event: string; data: Record<string, any> }[] {
  return body
    .split("\n\n")
    .filter((block) => block.startsWith("event: "))
    .map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      return { event: eventLine.slice("event: ".length), data: JSON.parse(dataLine.slice("data: ".length)) };
    });
}

describe("@anthropic-ai/sdk through the local server", () => {
  let stack: Stack;
  let anthropic: Anthropic;
  before(async () => {
    stack = await startStack({ server: { claudeModel: "gpt-5.5,claude-haiku-4-5=gpt-5.4-mini" } });
    anthropic = client(stack);
  });
  after(() => stack.close());

  it("answers messages.create with a text message, mapping the Claude model name", async () => {
    const message = await anthropic.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 1024,
      system: "Be brief.",
      messages: [{ role: "user", content: "hello" }],
    });
    assert.equal(message.type, "message");
    assert.equal(message.role, "assistant");
    assert.equal(message.model, "claude-sonnet-4-6");
    assert.deepEqual(message.content, [{ type: "text", text: 'Hello from the emulator. You asked: "hello"' }]);
    assert.equal(message.stop_reason, "end_turn");
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
    const upstream = lastUpstreamBody(stack);
    assert.equal(upstream.model, "gpt-5.5");
    assert.equal(upstream.instructions, "Be brief.");
    assert.equal(upstream.max_output_tokens, 1024);

    await anthropic.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
    assert.equal(lastUpstreamBody(stack).model, "gpt-5.4-mini", "an exact entry beats the claude-* default");
    await anthropic.messages.create({ model: "gpt-5.4", max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
    assert.equal(lastUpstreamBody(stack).model, "gpt-5.4", "an OpenAI name passes through");
  });

  it("streams Anthropic's event sequence, each event named for its type", async () => {
    const answer = await rawRequest(`${stack.server.baseUrl}/messages`, {
      method: "POST",
      headers: { "x-api-key": stack.server.apiKey, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-sonnet-4-6", max_tokens: 256, stream: true, messages: [{ role: "user", content: "stream me" }] }),
    });
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers["content-type"]), /^text\/event-stream/);
    const events = frames(answer.body);
    for (const { event, data } of events) assert.equal(data.type, event);
    const names = events.map((e) => e.event);
    const deltas = names.filter((n) => n === "content_block_delta").length;
    assert.ok(deltas > 1, "the text arrives in several deltas");
    assert.deepEqual(names, ["message_start", "ping", "content_block_start", ...Array(deltas).fill("content_block_delta"), "content_block_stop", "message_delta", "message_stop"]);
    assert.equal(events[0].data.message.stop_reason, null);
    assert.deepEqual(events[2].data.content_block, { type: "text", text: "" });
    const delta = events.find((e) => e.event === "message_delta")!.data;
    assert.equal(delta.delta.stop_reason, "end_turn");
    assert.ok(delta.usage.output_tokens > 0 && delta.usage.input_tokens > 0);

    const final = await anthropic.messages.stream({ model: "claude-sonnet-4-6", max_tokens: 256, messages: [{ role: "user", content: "stream me" }] }).finalMessage();
    assert.deepEqual(final.content, [{ type: "text", text: 'Hello from the emulator. You asked: "stream me"' }]);
    assert.equal(final.stop_reason, "end_turn");
    assert.ok(final.usage.input_tokens > 0, "input tokens from message_delta reach the accumulated message");
  });

  it("runs a tool loop across two turns: streamed tool_use input, then tool_result, then text", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "please lookup_order 42" }];
    const stream = anthropic.messages.stream({ model: "claude-sonnet-4-6", max_tokens: 512, tools, messages });
    const partials: string[] = [];
    stream.on("inputJson", (partial) => partials.push(partial));
    const first = await stream.finalMessage();
    assert.equal(first.stop_reason, "tool_use");
    const use = first.content.find((block) => block.type === "tool_use");
    assert.ok(use && use.type === "tool_use");
    assert.equal(use.name, "lookup_order");
    assert.equal(typeof (use.input as { order_id?: unknown }).order_id, "string");
    assert.ok(partials.length > 1, `input arrived as several input_json_delta events (${partials.length})`);
    assert.deepEqual(JSON.parse(partials.join("")), use.input);

    messages.push({ role: "assistant", content: first.content });
    messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "shipped" }] });
    const second = await anthropic.messages.create({ model: "claude-sonnet-4-6", max_tokens: 512, tools, messages });
    assert.equal(second.stop_reason, "end_turn");
    assert.deepEqual(second.content, [{ type: "text", text: "Hello from the emulator. The tool returned: shipped" }]);
    const input = lastUpstreamBody(stack).input as Record<string, any>[];
    assert.deepEqual(
      input.filter((item) => item.type === "function_call" || item.type === "function_call_output").map((item) => [item.type, item.call_id]),
      [["function_call", use.id], ["function_call_output", use.id]],
    );
  });

  it("turns a reasoning summary into a thinking block, streamed and not", async () => {
    const params = { model: "claude-sonnet-4-6", max_tokens: 2048, thinking: { type: "enabled" as const, budget_tokens: 1024 }, messages: [{ role: "user" as const, content: "think" }] };
    const message = await anthropic.messages.create(params);
    assert.deepEqual(message.content.map((block) => block.type), ["thinking", "text"]);
    assert.match((message.content[0] as Anthropic.ThinkingBlock).thinking, /Answering directly/);
    assert.deepEqual(lastUpstreamBody(stack).reasoning, { summary: "auto" });

    const stream = anthropic.messages.stream(params);
    let thinking = "";
    stream.on("thinking", (delta) => (thinking += delta));
    const final = await stream.finalMessage();
    assert.deepEqual(final.content.map((block) => block.type), ["thinking", "text"]);
    assert.equal(thinking, (final.content[0] as Anthropic.ThinkingBlock).thinking);
    assert.match(thinking, /Answering directly/);
  });

  it("says max_tokens when the answer was cut short", async () => {
    const message = await anthropic.messages.create({ model: "claude-sonnet-4-6", max_tokens: 3, messages: [{ role: "user", content: "a long answer please" }] });
    assert.equal(message.stop_reason, "max_tokens");
  });

  it("sends images as input images", async () => {
    const data = Buffer.from("not really a png").toString("base64");
    await anthropic.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 64,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data } }, { type: "text", text: "what is this" }] }],
    });
    const content = (lastUpstreamBody(stack).input as Record<string, any>[]).at(-1)!.content;
    assert.equal(content[0].type, "input_image");
    assert.equal(content[0].image_url, `data:image/png;base64,${data}`);
  });

  it("estimates count_tokens, labelled as an estimate, without calling the model", async () => {
    const before = stack.emulator.requests.length;
    const short = await anthropic.messages.countTokens({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "hi" }] }).withResponse();
    const long = await anthropic.messages.countTokens({ model: "claude-sonnet-4-6", system: "Be brief.", tools, messages: [{ role: "user", content: "hi ".repeat(400) }] });
    assert.equal(short.response.headers.get("x-codex-provider-token-count"), "estimate");
    assert.ok(short.data.input_tokens > 0);
    assert.ok(long.input_tokens > short.data.input_tokens + 250, `${long.input_tokens} vs ${short.data.input_tokens}`);
    assert.equal(stack.emulator.requests.length, before);
  });

  it("accepts the local key as x-api-key or Bearer, and answers a wrong key with authentication_error", async () => {
    const bearer = client(stack, { apiKey: null, authToken: stack.server.apiKey });
    const ok = await bearer.messages.create({ model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
    assert.equal(ok.stop_reason, "end_turn");
    await assert.rejects(client(stack, { apiKey: "cpk-wrong-key-0123456789" }).messages.create({ model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hi" }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.AuthenticationError);
      assert.equal(error.status, 401);
      assert.deepEqual((error.error as any).type, "error");
      assert.equal((error.error as any).error.type, "authentication_error");
      assert.match((error.error as any).error.message, /Incorrect local API key/);
      return true;
    });
  });

  it("refuses fields it cannot honour with invalid_request_error", async () => {
    await assert.rejects(
      anthropic.messages.create({ model: "claude-sonnet-4-6", max_tokens: 64, stop_sequences: ["END"], messages: [{ role: "user", content: "hi" }] }),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.BadRequestError);
        assert.equal((error.error as any).error.type, "invalid_request_error");
        assert.match((error.error as any).error.message, /stop_sequences/);
        return true;
      },
    );
  });
});

describe("@anthropic-ai/sdk: a usage limit on the Codex backend (experimental provider)", () => {
  let stack: Stack;
  before(async () => (stack = await startCodexStack()));
  after(() => stack.close());

  it("is a 429 rate_limit_error that says when the limit resets, and the SDK does not retry it", async () => {
    stack.emulator.setFault({ name: "usage_limit" });
    const before = stack.logs.length;
    await assert.rejects(client(stack, { maxRetries: 2 }).messages.create({ model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hi" }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.RateLimitError);
      assert.equal(error.status, 429);
      assert.equal((error.error as any).error.type, "rate_limit_error");
      assert.match((error.error as any).error.message, /resets at \d{4}-\d\d-\d\dT.*\(in \d/);
      return true;
    });
    assert.equal(stack.logs.length - before, 1, "x-should-retry: false stopped the SDK's retries");
  });

  it("answers a plan request, dropping the max_tokens the plan path refuses", async () => {
    const { data, response } = await client(stack).messages.create({ model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hi" }] }).withResponse();
    assert.deepEqual(data.content, [{ type: "text", text: 'Hello from the emulator. You asked: "hi"' }]);
    assert.match(response.headers.get("x-codex-provider-dropped-params") ?? "", /max_tokens/);
  });
});
