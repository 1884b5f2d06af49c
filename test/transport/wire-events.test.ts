// The rest of the Responses event set against the emulator (openai-node's
// ResponseStreamEvent union, codex-rs MessagePhase): refusals, commentary preambles,
// custom tool calls, raw reasoning text and annotations arrive as typed events and
// result fields; the answer text holds only the final answer.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Emulator } from "#src/emulator/index.js";
import type { FaultName } from "#src/emulator/faults.js";
import { createProvider } from "#src/providers/registry.js";
import { ResponsesEventMapper } from "#src/wire/responses-events.js";
import type { CustomTool, StreamEvent } from "#src/types.js";
import { signIn, withCodexEmulator } from "../support/codex.js";
import { withHome } from "../support/home.js";
import { collect, platformProvider, withEmulator } from "../support/emulator.js";

/** The next inference request of `emu` answers in this shape (an emulator fault). */
function shaped(emu: Emulator, name: FaultName): Emulator {
  emu.setFault({ name });
  return emu;
}
const ofType = <T extends StreamEvent["type"]>(events: StreamEvent[], type: T) => events.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === type);

test("a refusal arrives as refusal_delta events and result.refusal, never as empty text", async () => {
  await withEmulator({}, async (emu) => {
    const events = await collect(platformProvider(shaped(emu, "refusal")).stream({ input: "hi" }));
    const deltas = ofType(events, "refusal_delta");
    assert.ok(deltas.length > 1, "streamed in pieces");
    const { result } = ofType(events, "done")[0];
    assert.equal(result.refusal, "I'm sorry, but I can't help with that request.");
    assert.equal(deltas.map((d) => d.delta).join(""), result.refusal);
    assert.equal(result.text, "");
    assert.equal(ofType(events, "text_delta").length, 0);
    assert.equal(result.stopReason, "stop");
  });
});

test("a refusal sent only inside the finished item is not lost", () => {
  const mapper = new ResponsesEventMapper();
  const item = { id: "msg_1", type: "message", role: "assistant", content: [{ type: "refusal", refusal: "No." }] };
  const events: StreamEvent[] = [];
  mapper.map({ type: "response.output_item.done", item }, events);
  mapper.map({ type: "response.completed", response: { id: "resp_1" } }, events);
  assert.deepEqual(ofType(events, "refusal_delta"), [{ type: "refusal_delta", delta: "No.", itemId: "msg_1" }]);
  assert.equal(mapper.result?.refusal, "No.");
});

test("commentary (phase) is its own event and stays out of result.text", async () => {
  await withEmulator({}, async (emu) => {
    const events = await collect(platformProvider(shaped(emu, "commentary")).stream({ input: "hi" }));
    const { result } = ofType(events, "done")[0];
    assert.equal(result.commentary, "Let me think about how to answer.");
    assert.equal(ofType(events, "commentary_delta").map((e) => e.delta).join(""), result.commentary);
    assert.equal(result.text, 'Hello from the emulator. You asked: "hi"');
    assert.equal(ofType(events, "text_delta").map((e) => e.delta).join(""), result.text);
    // The items keep their phase, so a replayed history resends it (openai-node: "preserve and resend phase").
    assert.deepEqual(result.output.map((item) => item.phase), ["commentary", "final_answer"]);
  });
});

test("a phase named only on the finished item still moves the preamble out of the answer", () => {
  const mapper = new ResponsesEventMapper();
  const events: StreamEvent[] = [];
  mapper.map({ type: "response.output_item.added", item: { id: "msg_1", type: "message", role: "assistant", content: [] } }, events);
  mapper.map({ type: "response.output_text.delta", item_id: "msg_1", delta: "Checking." }, events);
  mapper.map({ type: "response.output_item.done", item: { id: "msg_1", type: "message", phase: "commentary", content: [] } }, events);
  mapper.map({ type: "response.output_text.delta", item_id: "msg_2", delta: "Done." }, events);
  mapper.map({ type: "response.completed", response: { id: "resp_1" } }, events);
  assert.equal(mapper.result?.text, "Done.");
  assert.equal(mapper.result?.commentary, "Checking.");
});

test("the ChatGPT backend announces a tool call with a commentary preamble and labels the phase", async () => {
  await withCodexEmulator({}, (emu, ports) =>
    withHome(async (home) => {
      await signIn(emu, home, ports);
      const provider = createProvider({ provider: "chatgpt-codex", home, env: { CODEX_PROVIDER_AUTH_URL: emu.authUrl, CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl } });
      const tool = { type: "function" as const, name: "lookup_order", parameters: { type: "object", properties: {} } };
      const events = await collect(provider.stream({ input: "please lookup_order 7", tools: [tool] }));
      const { result } = ofType(events, "done")[0];
      assert.equal(result.commentary, "I'll use lookup_order for this.");
      assert.equal(result.text, "");
      assert.equal(result.stopReason, "tool_calls");
      assert.equal(result.functionCalls[0].name, "lookup_order");
      const answer = await provider.complete({ input: "hi" });
      assert.equal(answer.commentary, "");
      assert.equal(answer.output.find((item) => item.type === "message")?.phase, "final_answer");
    }),
  );
});

test("custom tool calls surface as calls: start, input deltas, the call, finish reason tool_calls; the output goes back", async () => {
  await withEmulator({}, async (emu) => {
    const grep: CustomTool = { type: "custom", name: "grep", description: "search text", format: { type: "grammar", syntax: "regex", definition: "[a-z ]+" } };
    const request = { input: "run grep on the logs", tools: [grep], toolChoice: { type: "custom" as const, name: "grep" } };
    const events = await collect(platformProvider(emu).stream(request));
    const sent = emu.requests.at(-1)?.body as { tools: unknown[]; tool_choice: unknown };
    assert.deepEqual(sent.tools, [grep], "sent in the Responses shape (openai-node CustomTool)");
    assert.deepEqual(sent.tool_choice, { type: "custom", name: "grep" });
    const [start] = ofType(events, "function_call_start");
    assert.deepEqual({ name: start.name, kind: start.kind }, { name: "grep", kind: "custom" });
    const input = ofType(events, "function_call_arguments_delta").map((e) => e.delta).join("");
    const { result } = ofType(events, "done")[0];
    assert.equal(result.stopReason, "tool_calls");
    assert.deepEqual(result.functionCalls, [
      { itemId: start.itemId, callId: start.callId, name: "grep", arguments: "input for grep: run grep on the logs", kind: "custom" },
    ]);
    assert.equal(input, result.functionCalls[0].arguments);
    assert.equal(ofType(events, "function_call")[0].call.kind, "custom");

    // The next turn: the call replayed as a typed item, then what the tool returned.
    const call = result.functionCalls[0];
    const answer = await platformProvider(emu).complete({
      tools: [grep],
      input: [
        { type: "message", role: "user", content: "run grep on the logs" },
        { type: "custom_tool_call", callId: call.callId, name: call.name, input: call.arguments },
        { type: "custom_tool_call_output", callId: call.callId, output: "logs/app.log:3: error" },
      ],
    });
    const replayed = (emu.requests.at(-1)?.body as { input: Array<Record<string, unknown>> }).input;
    assert.deepEqual(replayed.slice(1), [
      { type: "custom_tool_call", call_id: call.callId, name: "grep", input: call.arguments },
      { type: "custom_tool_call_output", call_id: call.callId, output: "logs/app.log:3: error" },
    ]);
    assert.equal(answer.stopReason, "stop");
  });
});

test("reasoning text and annotations map to events and the result; unknown event types are ignored", async () => {
  await withEmulator({}, async (emu) => {
    const provider = platformProvider(emu);
    shaped(emu, "reasoning_text");
    const reasoning = await collect(provider.stream({ input: "hi" }));
    const done = ofType(reasoning, "done")[0].result;
    assert.equal(done.reasoningText, 'The user asked "hi". A short, direct reply fits.');
    assert.equal(ofType(reasoning, "reasoning_text_delta").map((e) => e.delta).join(""), done.reasoningText);
    assert.equal(done.reasoningSummary, "");

    shaped(emu, "annotations");
    const cited = await collect(provider.stream({ input: "hi" }));
    const result = ofType(cited, "done")[0].result;
    const citation = { type: "url_citation", start_index: 0, end_index: 5, title: "Emulated source", url: "https://example.com/emulated-source" };
    assert.deepEqual(result.annotations, [citation]);
    assert.deepEqual(ofType(cited, "annotation").map((e) => e.annotation), [citation]);
  });
  const unknown: StreamEvent[] = [];
  new ResponsesEventMapper().map({ type: "response.some_future_event", delta: "x" }, unknown);
  assert.deepEqual(unknown, []);
});
