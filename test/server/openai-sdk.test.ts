// The openai npm SDK (v6) as a real client of the local server, which forwards to the
// emulator through provider `openai`: Responses and Chat Completions, streaming and
// not, tool-call round trips, the model list, and the error classes clients act on.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { assertToolRoundTrip, lookupOrderTool, startStack, type Stack } from "./helpers.js";

const chatTools = [{ type: "function" as const, function: { name: lookupOrderTool.name, description: lookupOrderTool.description, parameters: lookupOrderTool.parameters } }];

describe("openai SDK through the local server", () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack();
    client = new OpenAI({ baseURL: stack.server.baseUrl, apiKey: stack.server.apiKey, maxRetries: 0 });
  });
  after(() => stack.close());

  it("streams responses.create({stream:true}) with the upstream's events", async () => {
    const stream = await client.responses.create({ model: "gpt-5.5", input: "ping", stream: true, reasoning: { effort: "low", summary: "auto" } });
    const types: string[] = [];
    let text = "";
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    assert.equal(text, 'Hello from the emulator. You asked: "ping"');
    assert.equal(completed?.status, "completed");
    assert.ok(types.includes("response.reasoning_summary_text.delta"));
    assert.ok(types.includes("response.content_part.added"));
    // The upstream got the SDK's body, not a rebuilt one.
    const upstream = stack.emulator.requests.at(-1)!;
    assert.deepEqual((upstream.body as any).reasoning, { effort: "low", summary: "auto" });
    assert.equal(upstream.headers.authorization, `Bearer ${stack.emulator.apiKey}`);
  });

  it("accumulates with the responses.stream() helper", async () => {
    const final = await client.responses.stream({ model: "gpt-5.5", input: "pong" }).finalResponse();
    assert.equal(final.output_text, 'Hello from the emulator. You asked: "pong"');
  });

  it("answers without streaming with the final response object", async () => {
    const response = await client.responses.create({ model: "gpt-5.5", input: [{ role: "user", content: "hello" }], instructions: "Be brief." });
    assert.equal(response.object, "response");
    assert.equal(response.status, "completed");
    assert.equal(response.output_text, 'Hello from the emulator. You asked: "hello"');
    assert.ok((response.usage?.input_tokens ?? 0) > 0);
  });

  it("round-trips a Responses tool call", () => assertToolRoundTrip(client));

  it("answers Chat Completions without streaming", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-5.5",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi there" },
      ],
    });
    assert.equal(completion.object, "chat.completion");
    assert.equal(completion.choices[0].message.content, 'Hello from the emulator. You asked: "hi there"');
    assert.equal(completion.choices[0].finish_reason, "stop");
    assert.ok(completion.usage && completion.usage.prompt_tokens > 0 && completion.usage.total_tokens > completion.usage.prompt_tokens);
    const upstream = stack.emulator.requests.at(-1)!.body as any;
    assert.equal(upstream.instructions, "Be brief.");
  });

  it("streams Chat Completions with include_usage", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-5.5",
      messages: [{ role: "user", content: "stream me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Hello from the emulator. You asked: "stream me"');
    assert.equal(finish, "stop");
    assert.ok(usage && usage.completion_tokens > 0);
  });

  it("round-trips Chat Completions tool calls, streaming and not", async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: "please lookup_order 7" }];
    const runner = client.chat.completions.stream({ model: "gpt-5.5", messages, tools: chatTools });
    const streamed = await runner.finalChatCompletion();
    const choice = streamed.choices[0];
    assert.equal(choice.finish_reason, "tool_calls");
    const call = choice.message.tool_calls?.[0];
    assert.ok(call && call.type === "function");
    assert.equal(call.function.name, "lookup_order");
    assert.equal(typeof JSON.parse(call.function.arguments).order_id, "string");

    const answer = await client.chat.completions.create({
      model: "gpt-5.5",
      tools: chatTools,
      messages: [...messages, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: "delivered" }],
    });
    assert.equal(answer.choices[0].message.content, "Hello from the emulator. The tool returned: delivered");
    const upstream = stack.emulator.requests.at(-1)!.body as any;
    assert.deepEqual(
      upstream.input.map((item: any) => item.type),
      ["message", "function_call", "function_call_output"],
    );
    assert.equal(upstream.input[2].call_id, call.id);
  });

  it("lists and retrieves models, and 404s an unknown one", async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.ok(ids.includes("gpt-5.5"));
    assert.equal((await client.models.retrieve("gpt-5.5")).id, "gpt-5.5");
    const before = stack.emulator.requests.length;
    await assert.rejects(client.responses.create({ model: "gpt-nope", input: "x" }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError);
      assert.equal((error.error as any).code, "model_not_found");
      return true;
    });
    assert.equal(stack.emulator.requests.length, before, "answered from the cached catalog");
  });

  it("drops a field the upstream answers 'Unsupported parameter' for, and retries once", async () => {
    stack.emulator.setFault({ name: "status", status: 400, code: "unsupported_parameter", param: "temperature", message: "Unsupported parameter: 'temperature' is not supported with this model." });
    const before = stack.emulator.requests.length;
    const { data, response } = await client.responses.create({ model: "gpt-5.5", input: "warm", temperature: 0.3 }).withResponse();
    assert.equal(data.output_text, 'Hello from the emulator. You asked: "warm"');
    assert.equal(response.headers.get("x-codex-provider-dropped-params"), "temperature");
    const [rejected, accepted] = stack.emulator.requests.slice(before).map((r) => r.body as Record<string, unknown>);
    assert.equal(rejected.temperature, 0.3);
    assert.equal(accepted.temperature, undefined);
  });

  it("turns a usage limit into a 429 the SDK does not retry", async () => {
    const retrying = new OpenAI({ baseURL: stack.server.baseUrl, apiKey: stack.server.apiKey, maxRetries: 2 });
    stack.emulator.setFault({ name: "usage_limit" });
    const before = stack.logs.length;
    await assert.rejects(retrying.chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "x" }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.headers.get("x-should-retry"), "false");
      return true;
    });
    assert.equal(stack.logs.length - before, 1, "one request: x-should-retry: false stopped the SDK's retries");
  });
});
