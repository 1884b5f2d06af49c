// The local server over a fallback chain (chatgpt → openai), through the real openai SDK: a
// usage limit on the first entry is answered by the next, and the switch is named in the
// x-codex-provider-fallback response header (read from the raw response), streaming or not.
import assert from "node:assert/strict";
import { test } from "node:test";
import OpenAI from "openai";
import { signIn } from "../support/siwc.js";
import { withStack } from "./helpers.js";

test("a usage limit on the first entry is answered by the next, named in x-codex-provider-fallback", async () => {
  await withStack(
    {
      setup: (emu, home) => signIn(emu, home),
      server: { providerOptions: { fallback: ["chatgpt", "openai"], retry: { baseDelayMs: 1, maxDelayMs: 5 } } },
    },
    async (stack) => {
      const client = new OpenAI({ baseURL: stack.server.baseUrl, apiKey: stack.server.apiKey, maxRetries: 0 });
      const platformCalls = () => stack.emulator.requests.filter((r) => r.path === "/v1/responses" && r.headers.authorization === `Bearer ${stack.emulator.apiKey}`).length;

      stack.emulator.setFault({ name: "usage_limit" });
      const { data, response } = await client.chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] }).withResponse();
      assert.equal(data.choices[0].message.content, 'Hello from the emulator. You asked: "hi"');
      assert.equal(response.headers.get("x-codex-provider-fallback"), "chatgpt->openai");
      assert.equal(platformCalls(), 1);

      stack.emulator.setFault({ name: "usage_limit" });
      const streamed = await client.responses.create({ model: "gpt-5.5", input: "again", stream: true }).withResponse();
      let text = "";
      for await (const event of streamed.data) if (event.type === "response.output_text.delta") text += event.delta;
      assert.equal(text, 'Hello from the emulator. You asked: "again"');
      assert.equal(streamed.response.headers.get("x-codex-provider-fallback"), "chatgpt->openai");
      assert.equal(platformCalls(), 2);

      // No limit, no switch, no header.
      const plain = await client.responses.create({ model: "gpt-5.5", input: "third" }).withResponse();
      assert.equal(plain.response.headers.get("x-codex-provider-fallback"), null);
      assert.equal(platformCalls(), 2);
    },
  );
});
