// A custom provider that speaks only Chat Completions (`wire_api = "chat"`) behind the
// server's Responses endpoint: the body is translated, the answer rebuilt as the full
// Responses event set (docs/protocol.md#server-event-set), so the openai SDK and Codex CLI work with it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { agentMessage, runCodex, tempCodexHome } from "./codex-runner.js";
import { assertToolRoundTrip, chatUpstream, startStack, type Stack } from "./helpers.js";

describe("Responses endpoint over a Chat Completions provider", () => {
  let stack: Stack;
  let client: OpenAI;
  const codexHome = tempCodexHome();
  before(async () => {
    // The same emulator, reached through its /v1/chat/completions as a custom provider.
    stack = await startStack({ server: chatUpstream });
    client = new OpenAI({ baseURL: stack.server.baseUrl, apiKey: stack.server.apiKey, maxRetries: 0 });
  });
  after(() => stack.close());
  const chatCalls = () => stack.emulator.requests.filter((r) => r.path === "/v1/chat/completions");

  it("streams the full event set to responses.stream()", async () => {
    const types: string[] = [];
    const textEvents: Array<{ logprobs?: unknown }> = [];
    const runner = client.responses.stream({ model: "gpt-5.5", input: "ping", instructions: "Be brief." });
    runner.on("event", (event) => {
      types.push(event.type);
      if (event.type === "response.output_text.delta" || event.type === "response.output_text.done") textEvents.push(event);
    });
    const final = await runner.finalResponse();
    assert.equal(final.output_text, 'Hello from the emulator. You asked: "ping"');
    assert.deepEqual(types.slice(0, 4), ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
    assert.equal(types.at(-1), "response.completed");
    assert.ok((final.usage?.output_tokens ?? 0) > 0);
    // The SDK types `logprobs` as a required array on the text events, as the Platform sends them.
    assert.ok(textEvents.length > 1 && textEvents.every((event) => Array.isArray(event.logprobs)));
    assert.equal((chatCalls().at(-1)!.body as any).messages[0].content, "Be brief.");
  });

  it("answers without streaming, and round-trips a tool call", () => assertToolRoundTrip(client));

  it("serves Codex CLI, naming what Chat cannot carry", async () => {
    const run = await runCodex(stack.server.baseUrl, codexHome.path, stack.server.apiKey, "say hi");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(agentMessage(run), 'Hello from the emulator. You asked: "say hi"');
    const dropped = stack.logs.at(-1)!.dropped ?? [];
    for (const name of ["include", "client_metadata", "tools[custom]", "tools[web_search]"]) assert.ok(dropped.includes(name), name);
  });

  it("chains turns by previous_response_id: the history becomes Chat messages", async () => {
    const first = await client.responses.create({ model: "gpt-5.5", input: "first question" });
    const second = await client.responses.create({ model: "gpt-5.5", input: "second question", previous_response_id: first.id });
    assert.equal(second.previous_response_id, first.id);
    const messages = (chatCalls().at(-1)!.body as { messages: Array<{ role: string; content: unknown }> }).messages;
    assert.deepEqual(
      messages.map((message) => message.role),
      ["user", "assistant", "user"],
    );
    assert.match(JSON.stringify(messages[1].content), /You asked: \\"first question\\"/);
  });

  it("carries a user's image and a tool result's text parts; an image in a tool result is refused by name, nothing sent", async () => {
    const image = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    const call = { type: "function_call" as const, call_id: "call_1", name: "lookup_order", arguments: '{"order_id":"42"}' };
    await client.responses.create({
      model: "gpt-5.5",
      input: [
        { role: "user", content: [{ type: "input_text", text: "some " }, { type: "input_text", text: "context" }] },
        { role: "user", content: [{ type: "input_text", text: "what is this?" }, { type: "input_image", image_url: image, detail: "low" }] },
        call,
        { type: "function_call_output", call_id: "call_1", output: [{ type: "input_text", text: "shipped " }, { type: "input_text", text: "on Monday" }] },
      ],
    });
    const messages = (chatCalls().at(-1)!.body as { messages: Array<{ role: string; content: unknown }> }).messages;
    assert.equal(messages[0].content, "some context", "text alone stays one string");
    assert.deepEqual(messages[1].content, [
      { type: "text", text: "what is this?" },
      { type: "image_url", image_url: { url: image, detail: "low" } },
    ]);
    assert.deepEqual(messages.at(-1), { role: "tool", tool_call_id: "call_1", content: "shipped on Monday" });

    const sent = chatCalls().length;
    const withImage = { type: "function_call_output" as const, call_id: "call_1", output: [{ type: "input_image" as const, image_url: image, detail: "auto" as const }] };
    await assert.rejects(client.responses.create({ model: "gpt-5.5", input: [{ role: "user", content: "look" }, call, withImage] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.match(error.message, /function_call_output with input_image content has no Chat Completions equivalent/);
      return true;
    });
    assert.equal(chatCalls().length, sent, "nothing sent upstream");
  });

  it("refuses fields Chat cannot express", async () => {
    await assert.rejects(client.responses.create({ model: "gpt-5.5", input: "x", previous_response_id: "resp_1" }), OpenAI.BadRequestError);
    await assert.rejects(client.responses.create({ model: "gpt-5.5", input: "x", background: true }), OpenAI.BadRequestError);
  });
});
