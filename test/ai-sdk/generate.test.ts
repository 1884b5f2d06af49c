// generateText from the real `ai` package through the adapter, against the emulator's
// Platform API: what reaches the wire, what comes back, tool loops, errors and abort.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createProviderRegistry, generateText, stepCountIs } from "ai";
import { ProviderError } from "#src/errors.js";
import { withEmulator } from "../support/emulator.js";
import { bodies, platformCodex, sdkWarnings, weatherTool } from "./helpers.js";
import { eventually } from "../support/poll.js";

test("text, usage and metadata come back; call settings and provider options reach the wire", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu);
    const result = await generateText({
      model: codex("gpt-5.4"),
      system: "Be brief",
      prompt: "Say hello",
      maxOutputTokens: 500,
      temperature: 0.3,
      topP: 0.9,
      seed: 7,
      stopSequences: ["END"],
      providerOptions: { "codex-provider": { reasoningEffort: "low", textVerbosity: "low" } },
    });
    assert.match(result.text, /You asked: "Say hello"/);
    assert.equal(result.finishReason, "stop");
    const { inputTokens, outputTokens, totalTokens, reasoningTokens, cachedInputTokens } = result.usage;
    assert.ok(inputTokens! > 0 && outputTokens! > 0);
    assert.equal(totalTokens, inputTokens! + outputTokens!);
    assert.equal(reasoningTokens, 16, "low effort");
    assert.equal(cachedInputTokens, 0);
    assert.match(result.response.id, /^resp_/);
    assert.equal(result.response.modelId, "gpt-5.4");
    const metadata = result.providerMetadata?.["codex-provider"];
    assert.equal(metadata?.responseId, result.response.id);
    assert.match(String(metadata?.requestId), /^req_/);
    assert.deepEqual(
      result.warnings?.map((w) => (w.type === "unsupported-setting" ? w.setting : w.type)),
      ["seed", "stopSequences"],
    );
    assert.deepEqual(sdkWarnings.slice(-2), result.warnings, "the SDK logged them to the test's hook, not the terminal");

    const [body] = bodies(emu);
    assert.equal(body.model, "gpt-5.4");
    assert.equal(body.instructions, "Be brief");
    assert.deepEqual(body.input, [{ type: "message", role: "user", content: [{ type: "input_text", text: "Say hello" }] }]);
    assert.equal(body.max_output_tokens, 500);
    assert.equal(body.temperature, 0.3);
    assert.equal(body.top_p, 0.9);
    assert.equal(body.reasoning.effort, "low");
    assert.deepEqual(body.text, { verbosity: "low" });
    assert.equal(body.seed, undefined);
  });
});

test("a tool with execute runs and its result goes back in the next step", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu);
    const result = await generateText({
      model: codex("gpt-5.4"),
      prompt: "Use get_weather for Paris",
      tools: { get_weather: weatherTool },
      stopWhen: stepCountIs(2),
    });
    assert.equal(result.steps.length, 2);
    const [first] = result.steps;
    assert.equal(first.finishReason, "tool-calls");
    assert.deepEqual(first.toolCalls.map((c) => [c.toolName, c.input]), [["get_weather", { city: "Paris" }]]);
    assert.equal(first.toolResults[0]?.output, "sunny, 21 C in Paris");
    assert.match(result.text, /The tool returned: sunny, 21 C in Paris/);
    assert.equal(result.finishReason, "stop");

    const [request1, request2] = bodies(emu);
    assert.deepEqual(request1.tools, [
      {
        type: "function",
        name: "get_weather",
        description: "Weather for a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        strict: null,
      },
    ]);
    assert.equal(request1.tool_choice, "auto");
    const callId = first.toolCalls[0].toolCallId;
    assert.deepEqual(request2.input.slice(1), [
      { type: "function_call", call_id: callId, name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call_output", call_id: callId, output: "sunny, 21 C in Paris" },
    ]);
  });
});

test("a reasoning summary comes back as reasoning content ahead of the text", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu);
    const result = await generateText({
      model: codex("gpt-5.4"),
      prompt: "Say hello",
      providerOptions: { "codex-provider": { reasoningSummary: "auto" } },
    });
    assert.deepEqual(result.content.map((part) => part.type), ["reasoning", "text"]);
    assert.match(result.reasoningText ?? "", /^\*\*Answering directly\*\* The user asked "Say hello"/);
    assert.equal(bodies(emu)[0].reasoning.summary, "auto");
  });
});

test("failures are our ProviderErrors, retried by the transport only", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu, { retry: { baseDelayMs: 1 } });
    emu.setFault({ name: "usage_limit" });
    await assert.rejects(generateText({ model: codex("gpt-5.4"), prompt: "hi" }), (error) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.code, "insufficient_quota");
      assert.equal(error.retryable, false);
      return true;
    });
    assert.equal(bodies(emu).length, 1, "a usage limit is terminal: neither the SDK nor the transport retried");

    emu.setFault({ name: "server_error" });
    const result = await generateText({ model: codex("gpt-5.4"), prompt: "hi" });
    assert.match(result.text, /You asked: "hi"/);
    assert.equal(bodies(emu).length, 3, "one transport retry, no SDK retry on top");
  });
});

test("abort rejects with code aborted and closes the request", async () => {
  await withEmulator({ deltaDelayMs: 40 }, async (emu) => {
    const codex = platformCodex(emu);
    const controller = new AbortController();
    const call = generateText({ model: codex("gpt-5.4"), prompt: "Tell me a long story", abortSignal: controller.signal });
    // Abort once the request is in flight, not after a fixed delay a busy machine may outrun.
    await eventually(() => emu.requests.length > 0);
    controller.abort();
    await assert.rejects(call, (error) => error instanceof ProviderError && error.code === "aborted");
    await eventually(() => emu.requests[0]?.clientAborted === true);
  });
});

test("images go as data URLs; other files and bad provider options fail before any request", async () => {
  await withEmulator({}, async (emu) => {
    const codex = platformCodex(emu);
    const result = await generateText({
      model: codex("gpt-5.4"),
      messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image", image: new Uint8Array([1, 2, 3]), mediaType: "image/png" }] }],
    });
    assert.match(result.text, /with 1 attachment/);
    assert.deepEqual(bodies(emu)[0].input[0].content[1], { type: "input_image", image_url: "data:image/png;base64,AQID", detail: "auto" });

    await assert.rejects(
      generateText({
        model: codex("gpt-5.4"),
        messages: [{ role: "user", content: [{ type: "file", data: new Uint8Array([1]), mediaType: "application/pdf" }] }],
      }),
      (error) => error instanceof ProviderError && error.code === "unsupported_parameter",
    );
    await assert.rejects(
      generateText({ model: codex("gpt-5.4"), prompt: "hi", providerOptions: { "codex-provider": { reasoningEfort: "low" } } }),
      (error) => error instanceof ProviderError && error.code === "config_error" && /reasoningEfort/.test(error.message),
    );
    assert.equal(bodies(emu).length, 1);
  });
});

test("the provider plugs into createProviderRegistry and names itself after the credential", async () => {
  await withEmulator({}, async (emu) => {
    const registry = createProviderRegistry({ codex: platformCodex(emu) });
    const model = registry.languageModel("codex:gpt-5.4");
    assert.equal(model.provider, "codex-provider.openai");
    assert.match((await generateText({ model, prompt: "hi" })).text, /You asked: "hi"/);
    assert.throws(() => registry.textEmbeddingModel("codex:text-embedding-3-small"), (error) => error instanceof ProviderError && error.code === "model_not_found");
  });
});

