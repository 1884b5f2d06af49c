// The adapter over a ChatGPT sign-in (chatgpt-codex, against the emulator's backend):
// encrypted reasoning carried through a tool loop, settings the backend refuses, and
// the plan's usage limit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generateText, stepCountIs, streamText } from "ai";
import { createCodexProvider } from "#src/ai-sdk/v2.js";
import type { Emulator } from "#src/emulator/index.js";
import { ProviderError } from "#src/errors.js";
import { signIn, withCodexEmulator } from "../support/codex.js";
import { withHome } from "../support/home.js";
import { bodies, weatherTool } from "./helpers.js";

const BACKEND = "/backend-api/codex/responses";

async function withCodex(fn: (emu: Emulator, codex: ReturnType<typeof createCodexProvider>) => Promise<void>): Promise<void> {
  await withCodexEmulator({}, (emu, ports) =>
    withHome(async (home) => {
      await signIn(emu, home, ports);
      const env = { CODEX_PROVIDER_AUTH_URL: emu.authUrl, CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl };
      await fn(emu, createCodexProvider({ provider: "chatgpt-codex", home, env }));
    }),
  );
}

test("encrypted reasoning rides on reasoning parts and is replayed in the next tool step", async () => {
  await withCodex(async (emu, codex) => {
    const streamed = streamText({ model: codex("gpt-5.4"), prompt: "Use get_weather for Paris", tools: { get_weather: weatherTool }, stopWhen: stepCountIs(2) });
    assert.match(await streamed.text, /The tool returned: sunny, 21 C in Paris \(continuing from 1 reasoning item\)/);
    const [first, second] = bodies(emu, BACKEND);
    assert.deepEqual(first.include, ["reasoning.encrypted_content"]);
    const reasoning = (await streamed.steps)[0].content.find((part) => part.type === "reasoning");
    assert.equal(reasoning?.text, "", "no summary was asked for; the part still carries the item");
    const item = reasoning?.providerMetadata?.["codex-provider"]?.reasoningItem as Record<string, unknown>;
    assert.equal(typeof item.encrypted_content, "string");
    assert.deepEqual(second.input.map((i: { type: string }) => i.type), ["message", "reasoning", "function_call", "function_call_output"]);
    assert.equal(second.input[1].encrypted_content, item.encrypted_content);

    // The same through generateText, with a summary to show.
    const generated = await generateText({
      model: codex("gpt-5.4"),
      prompt: "Use get_weather for Paris",
      tools: { get_weather: weatherTool },
      stopWhen: stepCountIs(2),
      providerOptions: { "codex-provider": { reasoningSummary: "auto" } },
    });
    assert.match(generated.steps[0].reasoningText ?? "", /Answering directly/);
    assert.match(generated.text, /continuing from 1 reasoning item/);
  });
});

test("settings the backend refuses fail before any request; the plan's usage limit keeps its reset time", async () => {
  await withCodex(async (emu, codex) => {
    await assert.rejects(
      generateText({ model: codex("gpt-5.4"), prompt: "hi", temperature: 0.2 }),
      (error) => error instanceof ProviderError && error.code === "unsupported_parameter" && error.param === "temperature",
    );
    assert.equal(bodies(emu, BACKEND).length, 0);

    emu.setFault({ name: "usage_limit" });
    const all = [];
    for await (const part of streamText({ model: codex("gpt-5.4"), prompt: "hi", onError: () => {} }).fullStream) all.push(part);
    const error = all.find((part) => part.type === "error")?.error;
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, "usage_limit_reached");
    assert.ok(error.resetsAt! > Date.now(), "reset time kept");
    assert.equal(bodies(emu, BACKEND).length, 1, "terminal: not retried");
  });
});
