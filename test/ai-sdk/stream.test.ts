// streamText from the real `ai` package through the adapter, against the emulator:
// part order, reasoning, a streamed tool loop, error parts, abort, raw chunks, and a
// Chat Completions custom provider behind the same adapter.
import assert from "node:assert/strict";
import { test } from "node:test";
import { stepCountIs, streamText, type TextStreamPart, type ToolSet } from "ai";
import { createCodexProvider } from "#src/ai-sdk/v2.js";
import { ProviderError } from "#src/errors.js";
import { withEmulator } from "../support/emulator.js";
import { bodies, platformCodex, weatherTool } from "./helpers.js";
import { eventually } from "../support/poll.js";

async function parts<T extends ToolSet>(stream: AsyncIterable<TextStreamPart<T>>): Promise<TextStreamPart<T>[]> {
  const out: TextStreamPart<T>[] = [];
  for await (const part of stream) out.push(part);
  return out;
}

/** Part types with runs of deltas collapsed, to compare the shape of a stream. */
function shape(all: Array<{ type: string }>): string[] {
  return all.map((p) => p.type).filter((type, i, types) => !(type.endsWith("-delta") && types[i - 1] === type));
}

test("text streams as start/delta/end with usage and response metadata", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu);
    const result = streamText({ model: codex("gpt-5.4"), prompt: "Say hello" });
    const all = await parts(result.fullStream);
    assert.deepEqual(shape(all), ["start", "start-step", "text-start", "text-delta", "text-end", "finish-step", "finish"]);
    assert.match(await result.text, /You asked: "Say hello"/);
    assert.equal(await result.finishReason, "stop");
    const usage = await result.usage;
    assert.ok(usage.outputTokens! > 0);
    assert.equal(usage.totalTokens, usage.inputTokens! + usage.outputTokens!);
    assert.match((await result.response).id, /^resp_/);
    assert.match(String((await result.providerMetadata)?.["codex-provider"]?.requestId), /^req_/);
  });
});

test("a reasoning summary streams as reasoning parts before the text", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu);
    const result = streamText({ model: codex("gpt-5.4"), prompt: "Say hello", providerOptions: { "codex-provider": { reasoningSummary: "auto" } } });
    const all = await parts(result.fullStream);
    assert.deepEqual(shape(all).slice(2, 8), ["reasoning-start", "reasoning-delta", "reasoning-end", "text-start", "text-delta", "text-end"]);
    assert.match((await result.reasoningText) ?? "", /^\*\*Answering directly\*\*/);
    assert.equal((await result.usage).reasoningTokens, 32, "medium effort by default");
  });
});

test("a streamed tool call runs execute and the next step answers with its result", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu);
    const result = streamText({ model: codex("gpt-5.4"), prompt: "Use get_weather for Paris", tools: { get_weather: weatherTool }, stopWhen: stepCountIs(2) });
    const all = await parts(result.fullStream);
    assert.deepEqual(shape(all), [
      "start", "start-step", "tool-input-start", "tool-input-delta", "tool-input-end", "tool-call", "tool-result", "finish-step",
      "start-step", "text-start", "text-delta", "text-end", "finish-step", "finish",
    ]);
    const start = all.find((p) => p.type === "tool-input-start");
    assert.equal(start?.type === "tool-input-start" && start.toolName, "get_weather");
    assert.match(await result.text, /The tool returned: sunny, 21 C in Paris/);
    assert.equal((await result.steps)[0].finishReason, "tool-calls");
    assert.equal(bodies(emu)[1].input.at(-1).output, "sunny, 21 C in Paris");
  });
});

test("a usage limit arrives as an error part carrying our code", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu);
    emu.setFault({ name: "usage_limit" });
    const reported: unknown[] = [];
    const result = streamText({ model: codex("gpt-5.4"), prompt: "hi", onError: ({ error }) => void reported.push(error) });
    const all = await parts(result.fullStream);
    const error = all.find((p) => p.type === "error")?.error;
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, "insufficient_quota");
    assert.equal(error.retryable, false);
    assert.deepEqual(reported, [error]);
    assert.equal(await result.finishReason, "error");
    assert.equal(bodies(emu).length, 1);
  });
});

test("abort mid-stream ends with an abort part and closes the request", async () => {
  await withEmulator({ deltaDelayMs: 20 }, async (emu) => {
    const codex = platformCodex(emu);
    const controller = new AbortController();
    const reported: unknown[] = [];
    const result = streamText({
      model: codex("gpt-5.4"),
      prompt: "Tell me a long story",
      abortSignal: controller.signal,
      onError: ({ error }) => void reported.push(error),
    });
    const seen: string[] = [];
    for await (const part of result.fullStream) {
      seen.push(part.type);
      if (seen.filter((type) => type === "text-delta").length === 2) controller.abort();
    }
    assert.equal(seen.at(-1), "abort");
    assert.deepEqual(reported, [], "an abort is not an error");
    await eventually(() => emu.requests[0]?.clientAborted === true);
  });
});

test("includeRawChunks adds the wire events as raw parts", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu);
    const all = await parts(streamText({ model: codex("gpt-5.4"), prompt: "hi", includeRawChunks: true }).fullStream);
    const raw = all.flatMap((p) => (p.type === "raw" ? [(p.rawValue as { type: string }).type] : []));
    assert.equal(raw[0], "response.created");
    assert.equal(raw.at(-1), "response.completed");
  });
});

test("a Chat Completions custom provider runs the same streamed tool loop", async () => {
  await withEmulator({}, async (emu) => {
    const codex = createCodexProvider({
      provider: "local",
      customProviders: { local: { base_url: emu.apiUrl, wire_api: "chat", env_key: "LOCAL_KEY" } },
      env: { LOCAL_KEY: emu.apiKey },
    });
    const model = codex("gpt-5.4");
    assert.equal(model.provider, "codex-provider.local");
    const result = streamText({ model, prompt: "Use get_weather for Paris", tools: { get_weather: weatherTool }, stopWhen: stepCountIs(2) });
    assert.match(await result.text, /The tool returned: sunny, 21 C in Paris/);
    assert.deepEqual((await result.steps).map((step) => step.finishReason), ["tool-calls", "stop"]);
    const [, second] = bodies(emu, "/v1/chat/completions");
    assert.equal(second.messages.at(-1).role, "tool");
  });
});
