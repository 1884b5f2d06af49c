// The AI SDK adapter over a fallback chain (chatgpt → openai): generateText and streamText
// answer from the next entry after a usage limit, and the switch is in the provider metadata.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generateText, streamText } from "ai";
import { createCodexProvider } from "#src/ai-sdk/v2.js";
import { signIn, tempHome, useEmulator } from "../support/siwc.js";

const fixture = useEmulator();

test("a usage-limit switch is reported in providerMetadata['codex-provider'].fallback", async () => {
  const { emu } = fixture;
  {
    const home = await tempHome();
    await signIn(emu, home);
    const codex = createCodexProvider({
      fallback: ["chatgpt", "openai"],
      home,
      env: { CODEX_PROVIDER_AUTH_URL: emu.authUrl, CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey },
    });
    const expected = [{ from: "chatgpt", to: "openai", reason: "usage_limit_reached", model: "gpt-5.4" }];

    emu.setFault({ name: "usage_limit" });
    const generated = await generateText({ model: codex("gpt-5.4"), prompt: "hi" });
    assert.match(generated.text, /You asked: "hi"/);
    assert.deepEqual(generated.providerMetadata?.["codex-provider"]?.fallback, expected);

    emu.setFault({ name: "usage_limit" });
    const streamed = streamText({ model: codex("gpt-5.4"), prompt: "again" });
    assert.match(await streamed.text, /You asked: "again"/);
    assert.deepEqual((await streamed.providerMetadata)?.["codex-provider"]?.fallback, expected);

    const plain = await generateText({ model: codex("gpt-5.4"), prompt: "no limit" });
    assert.equal(plain.providerMetadata?.["codex-provider"]?.fallback, undefined);
  }
});
