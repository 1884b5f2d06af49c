// Refusals, commentary, annotations and custom tool calls through the local server,
// with the openai SDK as the client: /v1/responses passes the upstream's events through
// unchanged; /v1/chat/completions maps a refusal to `refusal` (message and delta),
// keeps commentary out of `content`, and nests URL citations the Chat way. A Chat
// Completions upstream's refusal is rebuilt as Responses refusal events.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { chatUpstream, sdkClient, startStack, type Stack } from "./helpers.js";

const REFUSAL = "I'm sorry, but I can't help with that request.";

describe("wire events through the local server (provider openai)", () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack();
    client = sdkClient(stack);
  });
  after(() => stack.close());

  it("chat.completions: a refusal is message.refusal with null content", async () => {
    stack.emulator.setFault({ name: "refusal" });
    const completion = await client.chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] });
    const { message, finish_reason } = completion.choices[0];
    assert.equal(message.refusal, REFUSAL);
    assert.equal(message.content, null);
    assert.equal(finish_reason, "stop");
  });

  it("chat.completions streaming: the refusal arrives in delta.refusal, never in content", async () => {
    stack.emulator.setFault({ name: "refusal" });
    const stream = await client.chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }], stream: true });
    let refusal = "";
    let content = "";
    for await (const chunk of stream) {
      refusal += chunk.choices[0]?.delta.refusal ?? "";
      content += chunk.choices[0]?.delta.content ?? "";
    }
    assert.equal(refusal, REFUSAL);
    assert.equal(content, "");
  });

  it("responses: refusal events and parts pass through unchanged", async () => {
    stack.emulator.setFault({ name: "refusal" });
    const stream = await client.responses.create({ model: "gpt-5.5", input: "hi", stream: true });
    let refusal = "";
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === "response.refusal.delta") refusal += event.delta;
      if (event.type === "response.completed") final = event.response;
    }
    assert.equal(refusal, REFUSAL);
    const message = final?.output[0] as OpenAI.Responses.ResponseOutputMessage;
    assert.deepEqual(message.content, [{ type: "refusal", refusal: REFUSAL }]);
  });

  it("chat.completions: commentary stays out of content; responses keeps the phase", async () => {
    stack.emulator.setFault({ name: "commentary" });
    const completion = await client.chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] });
    assert.equal(completion.choices[0].message.content, 'Hello from the emulator. You asked: "hi"');

    stack.emulator.setFault({ name: "commentary" });
    const response = await client.responses.create({ model: "gpt-5.5", input: "hi" });
    const phases = response.output.map((item) => (item as OpenAI.Responses.ResponseOutputMessage).phase);
    assert.deepEqual(phases, ["commentary", "final_answer"]);
  });

  it("chat.completions: a URL citation becomes a nested url_citation annotation", async () => {
    stack.emulator.setFault({ name: "annotations" });
    const completion = await client.chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] });
    assert.deepEqual(completion.choices[0].message.annotations, [
      { type: "url_citation", url_citation: { start_index: 0, end_index: 5, title: "Emulated source", url: "https://example.com/emulated-source" } },
    ]);
  });

  it("responses: a custom tool call streams its input and ends as a custom_tool_call item", async () => {
    const stream = await client.responses.create({ model: "gpt-5.5", input: "run grep now", stream: true, tools: [{ type: "custom", name: "grep" }] });
    let input = "";
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === "response.custom_tool_call_input.delta") input += event.delta;
      if (event.type === "response.completed") final = event.response;
    }
    const call = final?.output[0] as OpenAI.Responses.ResponseCustomToolCall;
    assert.equal(call.type, "custom_tool_call");
    assert.equal(call.name, "grep");
    assert.equal(call.input, input);
  });
});

describe("a Chat Completions upstream's refusal behind /v1/responses", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ server: chatUpstream });
  });
  after(() => stack.close());

  it("is rebuilt as response.refusal.* events and a refusal part", async () => {
    stack.emulator.setFault({ name: "refusal" });
    const runner = sdkClient(stack).responses.stream({ model: "gpt-5.5", input: "hi" });
    const types: string[] = [];
    runner.on("event", (event) => types.push(event.type));
    const final = await runner.finalResponse();
    assert.ok(types.includes("response.refusal.delta") && types.includes("response.refusal.done"), types.join(","));
    const [part] = (final.output[0] as OpenAI.Responses.ResponseOutputMessage).content;
    assert.deepEqual({ type: part.type, refusal: part.type === "refusal" ? part.refusal : undefined }, { type: "refusal", refusal: REFUSAL });
    assert.equal(final.output_text, "");
  });
});
