// Custom providers ([providers.NAME]) against the emulator over real loopback HTTP: a
// Responses server and a Chat Completions server, with the same typed events.
import assert from "node:assert/strict";
import { describe, it, test } from "node:test";
import type { Emulator } from "#src/emulator/index.js";
import { ProviderError } from "#src/errors.js";
import type { CustomProviderConfig } from "#src/config/providers.js";
import { createProvider } from "#src/providers/registry.js";
import type { FunctionTool, StreamEvent } from "#src/types.js";
import { collect, fakeClock, withEmulator } from "../support/emulator.js";

const WEATHER: FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "Current weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

function custom(emu: Emulator, config: Partial<CustomProviderConfig>, env: Record<string, string> = { EMU_KEY: emu.apiKey }) {
  return createProvider({
    provider: "local",
    env,
    home: "/nonexistent-codex-provider-home",
    clock: fakeClock(),
    customProviders: { local: { base_url: emu.apiUrl, env_key: "EMU_KEY", ...config } },
  });
}

function done(events: StreamEvent[]) {
  const last = events.at(-1);
  assert.equal(last?.type, "done");
  return (last as Extract<StreamEvent, { type: "done" }>).result;
}

for (const wire of ["responses", "chat"] as const) {
  const path = wire === "chat" ? "/v1/chat/completions" : "/v1/responses";

  describe(`custom provider, wire_api = "${wire}"`, () => {
    it("streams text with usage; key, headers, env headers and query params reach the wire", async () => {
      await withEmulator({}, async (emu) => {
        const provider = custom(
          emu,
          { wire_api: wire, headers: { "X-Title": "my app" }, env_headers: { "X-Team": "TEAM_ID" }, query_params: { "api-version": "2025-01-01" } },
          { EMU_KEY: emu.apiKey, TEAM_ID: "team-7" },
        );
        const events = await collect(provider.stream({ model: "gpt-5.4-mini", input: "Say hello" }));
        assert.equal(events[0].type, "rate_limits");
        assert.ok(events.some((e) => e.type === "created"));
        const deltas = events.filter((e) => e.type === "text_delta");
        assert.ok(deltas.length > 1, "streamed in several deltas");
        const result = done(events);
        assert.equal(result.text, deltas.map((e) => (e as { delta: string }).delta).join(""));
        assert.match(result.text, /Say hello/);
        assert.equal(result.stopReason, "stop");
        assert.ok(result.usage && result.usage.outputTokens > 0 && result.usage.totalTokens === result.usage.inputTokens + result.usage.outputTokens);
        assert.ok(events.some((e) => e.type === "usage"));

        const request = emu.requests.find((r) => r.path.startsWith(path))!;
        assert.equal(request.path, `${path}?api-version=2025-01-01`);
        assert.equal(request.headers.authorization, `Bearer ${emu.apiKey}`);
        assert.equal(request.headers["x-title"], "my app");
        assert.equal(request.headers["x-team"], "team-7");
        const body = request.body as Record<string, unknown>;
        assert.equal(body.stream, true);
        if (wire === "chat") assert.deepEqual(body.stream_options, { include_usage: true });
      });
    });

    it("streams a tool call, then answers the tool result in a second turn", async () => {
      await withEmulator({}, async (emu) => {
        const provider = custom(emu, { wire_api: wire });
        const events = await collect(provider.stream({ model: "gpt-5.4-mini", input: "Use get_weather for Paris", tools: [WEATHER] }));
        assert.ok(events.some((e) => e.type === "function_call_arguments_delta"));
        const first = done(events);
        assert.equal(first.stopReason, "tool_calls");
        assert.equal(first.functionCalls.length, 1);
        const [call] = first.functionCalls;
        assert.equal(call.name, "get_weather");
        assert.deepEqual(JSON.parse(call.arguments), { city: "Paris" });

        const second = await provider.complete({
          model: "gpt-5.4-mini",
          tools: [WEATHER],
          input: [
            { type: "message", role: "user", content: "Use get_weather for Paris" },
            ...first.output.map((item) => ({ type: "raw" as const, item })),
            { type: "function_call_output", callId: call.callId, output: "18°C and sunny" },
          ],
        });
        assert.match(second.text, /The tool returned: 18°C and sunny/);
        assert.equal(second.stopReason, "stop");
      });
    });

    it("a stream cut off mid-answer is stream_truncated, never a partial success", async () => {
      await withEmulator({}, async (emu) => {
        emu.setFault({ name: "truncate", after: 2 });
        const stream = custom(emu, { wire_api: wire }).stream({ model: "gpt-5.4-mini", input: "Say hello" });
        await assert.rejects(stream.result(), (e: unknown) => e instanceof ProviderError && e.code === "stream_truncated");
      });
    });

    it("CRLF-framed streams parse", async () => {
      await withEmulator({}, async (emu) => {
        emu.setFault({ name: "crlf" });
        const result = await custom(emu, { wire_api: wire }).complete({ model: "gpt-5.4-mini", input: "Say hello" });
        assert.match(result.text, /Say hello/);
      });
    });

    it("an in-stream error after text has been delivered surfaces as a classified error", async () => {
      await withEmulator({}, async (emu) => {
        emu.setFault({ name: "error_event", code: "server_error", after: 2 });
        const stream = custom(emu, { wire_api: wire }).stream({ model: "gpt-5.4-mini", input: "Say hello" });
        await assert.rejects(stream.result(), (e: unknown) => e instanceof ProviderError && e.code === "server_error");
      });
    });
  });
}

describe("custom provider credentials and models", () => {
  it("a missing env_key variable is login_required naming the variable, before any request", async () => {
    await withEmulator({}, async (emu) => {
      const provider = custom(emu, { env_key_instructions: "Create a key at https://example.com/keys" }, {});
      await assert.rejects(
        provider.complete({ model: "gpt-5.4-mini", input: "hi" }),
        (e: unknown) => e instanceof ProviderError && e.code === "login_required" && /EMU_KEY/.test(e.message) && e.hint === "Create a key at https://example.com/keys",
      );
      assert.equal(emu.requests.length, 0);
    });
  });

  it("without env_key or requires_openai_auth no Authorization header is sent (local servers)", async () => {
    await withEmulator({}, async (emu) => {
      const provider = custom(emu, { env_key: undefined, wire_api: "chat" }, {});
      await assert.rejects(provider.complete({ model: "gpt-5.4-mini", input: "hi" }), (e: unknown) => e instanceof ProviderError && e.code === "invalid_credentials");
      assert.equal(emu.requests[0].headers.authorization, undefined);
    });
  });

  it("models come from the config list without a request, else from GET {base_url}/models", async () => {
    await withEmulator({}, async (emu) => {
      assert.deepEqual(await custom(emu, { models: ["m-a", "m-b"] }).listModels(), [{ id: "m-a" }, { id: "m-b" }]);
      assert.equal(emu.requests.length, 0);
      const listed = await custom(emu, { query_params: { "api-version": "1" } }).listModels();
      assert.ok(listed.some((m) => m.id === "gpt-5.5"));
      assert.equal(emu.requests[0].path, "/v1/models?api-version=1");
    });
  });

  it("the first configured model is the default; the experimental label is kept", async () => {
    await withEmulator({}, async (emu) => {
      const warnings: string[] = [];
      const provider = createProvider({
        provider: "local",
        env: { EMU_KEY: emu.apiKey },
        customProviders: { local: { base_url: emu.apiUrl, env_key: "EMU_KEY", models: ["gpt-5.4"], experimental: true } },
        onNotice: (notice) => warnings.push(notice.message),
      });
      assert.equal(provider.experimental, true);
      assert.match(warnings.join("\n"), /experimental/);
      const result = await provider.complete({ input: "hi" });
      assert.equal(result.model, "gpt-5.4");
    });
  });

  it("built-in ids cannot be redefined, and unknown ids list the custom ones", () => {
    assert.throws(() => createProvider({ provider: "openai", customProviders: { openai: { base_url: "http://x" } } }), /built-in provider/);
    assert.throws(() => createProvider({ provider: "nope", customProviders: { local: { base_url: "http://x" } } }), /Known providers: openai, chatgpt, chatgpt-codex, local/);
  });
});

test("a Chat Completions provider refuses custom tools (a Responses-only tool kind) before any request", async () => {
  await withEmulator({}, async (emu) => {
    const chat = custom(emu, { wire_api: "chat" });
    const before = emu.requests.length;
    const refused = (param: string) => (error: unknown) => error instanceof ProviderError && error.code === "unsupported_parameter" && error.param === param;
    await assert.rejects(chat.complete({ model: "gpt-5.4-mini", input: "x", tools: [WEATHER, { type: "custom", name: "grep" }] }), refused("tools[1]"));
    await assert.rejects(chat.complete({ model: "gpt-5.4-mini", input: "x", tools: [WEATHER], toolChoice: { type: "custom", name: "grep" } }), refused("tool_choice"));
    await assert.rejects(chat.complete({ model: "gpt-5.4-mini", input: [{ type: "custom_tool_call_output", callId: "call_1", output: "x" }] }), refused("input"));
    assert.equal(emu.requests.length, before);
  });
});
