// The openai npm SDK (v6) as a client: both Responses streaming entry points,
// non-streaming calls, Chat Completions, and error classes (docs/protocol.md#openai-sdk-clients).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { type Emulator, startEmulator } from "#src/emulator/index.js";
import { codexToken } from "./helpers.js";

const tools = [
  {
    type: "function" as const,
    name: "lookup_order",
    description: "Find an order",
    strict: false,
    parameters: { type: "object", properties: { order_id: { type: "string" }, verbose: { type: "boolean" } }, required: ["order_id"] },
  },
];

describe("openai SDK against the emulator", () => {
  let emu: Emulator;
  let client: OpenAI;
  before(async () => {
    emu = await startEmulator();
    client = new OpenAI({ baseURL: emu.apiUrl, apiKey: emu.apiKey, maxRetries: 0 });
  });
  after(() => emu.close());

  it("iterates responses.create({stream:true})", async () => {
    const stream = await client.responses.create({ model: "gpt-5.5", input: "ping", stream: true, reasoning: { effort: "low", summary: "auto" } });
    let text = "";
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    assert.equal(text, 'Hello from the emulator. You asked: "ping"');
    assert.equal(completed?.status, "completed");
    assert.ok((completed?.usage?.output_tokens_details.reasoning_tokens ?? 0) > 0);
  });

  it("accumulates with responses.stream()", async () => {
    const stream = client.responses.stream({ model: "gpt-5.5", input: "pong", reasoning: { effort: "low", summary: "auto" } });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'Hello from the emulator. You asked: "pong"');
    assert.equal(deltas.join(""), final.output_text);
    assert.equal(final.output[0].type, "reasoning");
    assert.equal(emu.requests.at(-1)!.headers["x-stainless-helper-method"], "stream");
  });

  it("streams function calls through responses.stream()", async () => {
    const final = await client.responses.stream({ model: "gpt-5.5", input: "please lookup_order 42", tools }).finalResponse();
    const call = final.output.find((item) => item.type === "function_call");
    assert.ok(call && call.type === "function_call");
    assert.equal(call.name, "lookup_order");
    assert.equal(typeof JSON.parse(call.arguments).order_id, "string");
  });

  it("returns output_text without streaming", async () => {
    const response = await client.responses.create({ model: "gpt-5.5", input: "plain" });
    assert.equal(response.output_text, 'Hello from the emulator. You asked: "plain"');
  });

  it("works against the backend with an account header; the stream opens with codex.rate_limits and response.metadata", async () => {
    const token = await codexToken(emu);
    const backend = new OpenAI({ baseURL: `${emu.chatgptUrl}/codex`, apiKey: token, maxRetries: 0, defaultHeaders: { "chatgpt-account-id": emu.auth.user.accountId } });
    const params = { model: "gpt-5.5", instructions: "Be brief.", input: [{ role: "user" as const, content: "hi" }], store: false, include: ["reasoning.encrypted_content" as const], reasoning: { effort: "low" as const } };
    const events: Array<{ type: string; [key: string]: unknown }> = [];
    for await (const event of await backend.responses.create({ ...params, stream: true })) events.push(event as unknown as { type: string });
    // docs/protocol.md#codex-rate-limits: the informational events come before response.created.
    assert.deepEqual(events.slice(0, 3).map((event) => event.type), ["codex.rate_limits", "response.metadata", "response.created"]);
    assert.equal(typeof (events[1].headers as Record<string, unknown>)["x-codex-turn-state"], "string");
    const limits = events[0].rate_limits as { primary: { used_percent: number; window_minutes: number } };
    assert.equal(typeof limits.primary.used_percent, "number");
    assert.equal(limits.primary.window_minutes, 300);
    const final = (events.at(-1) as unknown as { response: { output: Array<{ type: string; encrypted_content?: string; content?: Array<{ text: string }> }> } }).response;
    const message = final.output.find((item) => item.type === "message");
    assert.match(message?.content?.[0]?.text ?? "", /You asked: "hi"/);
    assert.ok(final.output.find((item) => item.type === "reasoning")?.encrypted_content);
    // The SDK's accumulating helper refuses events it does not know, so against this
    // backend only raw iteration works; `serve` leaves them out (test/server).
    await assert.rejects(backend.responses.stream(params).finalResponse(), /expected 'response.created' event, got codex.rate_limits/);
  });

  it("streams chat completions with usage and tool calls", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hello chat" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, 'Hello from the emulator. You asked: "hello chat"');
    assert.equal(finish, "stop");
    assert.ok(usage && usage.completion_tokens > 0 && usage.total_tokens === usage.prompt_tokens + usage.completion_tokens);

    const runner = client.chat.completions.stream({
      model: "gpt-5.5",
      messages: [{ role: "user", content: "call get_time now" }],
      tools: [{ type: "function", function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] } } }],
    });
    const completion = await runner.finalChatCompletion();
    const choice = completion.choices[0];
    assert.equal(choice.finish_reason, "tool_calls");
    const call = choice.message.tool_calls?.[0];
    assert.ok(call && call.type === "function");
    assert.equal(call.function.name, "get_time");
    assert.deepEqual(Object.keys(JSON.parse(call.function.arguments)), ["zone"]);
  });

  it("answers chat completions without streaming, including a tool result turn", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-5.5",
      messages: [
        { role: "user", content: "call get_time" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_9", type: "function", function: { name: "get_time", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_9", content: "12:00 UTC" },
      ],
    });
    assert.equal(completion.object, "chat.completion");
    assert.match(completion.choices[0].message.content ?? "", /12:00 UTC/);
    assert.equal(completion.choices[0].finish_reason, "stop");
  });

  it("surfaces errors as the SDK's classes, and retries honour retry-after-ms", async () => {
    await assert.rejects(new OpenAI({ baseURL: emu.apiUrl, apiKey: "sk-wrong-key-000000", maxRetries: 0 }).responses.create({ model: "gpt-5.5", input: "x" }), OpenAI.AuthenticationError);
    emu.setFault({ name: "usage_limit" });
    await assert.rejects(client.responses.create({ model: "gpt-5.5", input: "x" }), (error: unknown) => error instanceof OpenAI.RateLimitError && error.code === "insufficient_quota");
    emu.setFault({ name: "rate_limit", times: 2, retryAfterMs: 5 });
    const retrying = new OpenAI({ baseURL: emu.apiUrl, apiKey: emu.apiKey, maxRetries: 2 });
    const started = Date.now();
    const response = await retrying.responses.create({ model: "gpt-5.5", input: "after retries" });
    assert.equal(response.status, "completed");
    assert.ok(Date.now() - started < 1000, "used the 5 ms hint, not the SDK's default backoff");
  });

  it("mid-stream failures reach the SDK as events, not transport errors", async () => {
    emu.setFault({ name: "failed", code: "server_error", after: 1 });
    const types: string[] = [];
    for await (const event of await client.responses.create({ model: "gpt-5.5", input: "x", stream: true })) types.push(event.type);
    assert.equal(types.at(-1), "response.failed");
    emu.setFault({ name: "error_event" });
    const seen: string[] = [];
    for await (const event of await client.responses.create({ model: "gpt-5.5", input: "x", stream: true })) seen.push(event.type);
    assert.equal(seen.at(-1), "error");
  });
});
