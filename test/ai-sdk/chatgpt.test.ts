// The adapter over a Sign in with ChatGPT login (provider chatgpt, against the emulator's
// SIWC route): a tool loop, whose function tools must reach the upstream grouped in an
// `additional_tools` input item (the route refuses flat top-level function tools).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { generateText, stepCountIs } from "ai";
import { createCodexProvider } from "#src/ai-sdk/v2.js";
import { signIn, siwcEnv, tempHome, useEmulator } from "../support/siwc.js";
import { bodies, weatherTool } from "./helpers.js";

const fx = useEmulator();
let codex: ReturnType<typeof createCodexProvider>;

describe("chatgpt through the AI SDK adapter", () => {
  // Inside the suite, so it runs after useEmulator's file-level hook.
  before(async () => {
    const home = await tempHome();
    await signIn(fx.emu, home);
    codex = createCodexProvider({ provider: "chatgpt", home, env: siwcEnv(fx.emu, home) });
  });

  it("a tool loop on chatgpt: the call, the tool's result in the next step, tools sent as additional_tools", async () => {
    const result = await generateText({ model: codex("gpt-5.5"), prompt: "Use get_weather for Paris", tools: { get_weather: weatherTool }, stopWhen: stepCountIs(2) });
    assert.deepEqual(result.steps.map((step) => step.finishReason), ["tool-calls", "stop"]);
    assert.deepEqual(result.steps[0].toolCalls.map((call) => [call.toolName, call.input]), [["get_weather", { city: "Paris" }]]);
    assert.match(result.text, /The tool returned: sunny, 21 C in Paris/);
    for (const body of bodies(fx.emu).slice(-2)) {
      assert.equal(body.tools, undefined, "no flat top-level tools");
      assert.equal(body.input[0].type, "additional_tools");
      assert.equal(body.input[0].role, "developer");
      assert.deepEqual(body.input[0].tools.map((tool: { type: string; name: string }) => [tool.type, tool.name]), [["function", "get_weather"]]);
    }
  });
});
