// Refusals, commentary, citations and custom tool calls through the real `ai` package:
// a refusal is visible text marked in metadata with finish reason `content-filter` (the
// SDK has no refusal part), commentary is marked reasoning (not the answer's text), URL
// citations are url sources (as @ai-sdk/openai maps them), custom tool calls are tool
// calls marked `kind: "custom"`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generateText, streamText } from "ai";
import { StreamPartMapper } from "#src/ai-sdk/stream-parts.js";
import { platformProvider, withEmulator } from "../support/emulator.js";
import { platformCodex } from "./helpers.js";

const REFUSAL = "I'm sorry, but I can't help with that request.";

test("generateText: a refusal is the text, marked, with finish reason content-filter", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "refusal" });
    const result = await generateText({ model: platformCodex(emu)("gpt-5.4"), prompt: "hi" });
    assert.equal(result.text, REFUSAL);
    assert.equal(result.finishReason, "content-filter");
    assert.equal(result.providerMetadata?.["codex-provider"]?.refusal, REFUSAL);
    const [part] = result.content;
    assert.deepEqual(part.type === "text" ? part.providerMetadata : undefined, { "codex-provider": { refusal: true } });
  });
});

test("streamText: the refusal streams as text and finishes with content-filter", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "refusal" });
    const result = streamText({ model: platformCodex(emu)("gpt-5.4"), prompt: "hi" });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    assert.equal(text, REFUSAL);
    assert.equal(await result.finishReason, "content-filter");
  });
});

test("commentary is marked reasoning, never the answer's text; URL citations are sources", async () => {
  await withEmulator({}, async (emu) => {
    const model = platformCodex(emu)("gpt-5.4");
    emu.setFault({ name: "commentary" });
    const preamble = await generateText({ model, prompt: "hi" });
    assert.equal(preamble.text, 'Hello from the emulator. You asked: "hi"');
    assert.equal(preamble.reasoningText, "Let me think about how to answer.");
    assert.deepEqual(preamble.reasoning[0].providerMetadata, { "codex-provider": { phase: "commentary" } });

    emu.setFault({ name: "annotations" });
    const cited = await generateText({ model, prompt: "hi" });
    assert.deepEqual(
      cited.sources.map((source) => ({ sourceType: source.sourceType, url: source.sourceType === "url" ? source.url : undefined, title: source.title })),
      [{ sourceType: "url", url: "https://example.com/emulated-source", title: "Emulated source" }],
    );
  });
});

test("a custom tool call becomes tool input parts and a tool call marked custom", async () => {
  await withEmulator({}, async (emu) => {
    const stream = platformProvider(emu).stream({ input: "run grep now", extraBody: { tools: [{ type: "custom", name: "grep" }] } });
    const mapper = new StreamPartMapper();
    const parts = [];
    for await (const event of stream) parts.push(...mapper.map(event));
    const start = parts.find((p) => p.type === "tool-input-start");
    const call = parts.find((p) => p.type === "tool-call");
    const finish = parts.find((p) => p.type === "finish");
    assert.equal(start?.type === "tool-input-start" && start.toolName, "grep");
    const input = parts.filter((p) => p.type === "tool-input-delta").map((p) => (p.type === "tool-input-delta" ? p.delta : "")).join("");
    assert.ok(call?.type === "tool-call");
    // LanguageModelV4: the deltas are the raw text (inputEncoding "text"), the call's input that text JSON-encoded.
    assert.equal(start?.type === "tool-input-start" && start.inputEncoding, "text");
    assert.equal(input, "input for grep: run grep now");
    assert.equal(call.input, JSON.stringify(input));
    assert.deepEqual(call.providerMetadata, { "codex-provider": { kind: "custom" } });
    assert.equal(finish?.type === "finish" && finish.finishReason.unified, "tool-calls");
  });
});
