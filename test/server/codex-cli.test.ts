// The real Codex CLI (@openai/codex, 0.171.0 on 2026-12-02) with a custom provider pointed at the
// local server, which forwards to the emulator through provider `openai`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { agentMessage, runCodex, tempCodexHome } from "./codex-runner.js";
import { startStack, type Stack } from "./helpers.js";

describe("Codex CLI through the local server", () => {
  let stack: Stack;
  const codexHome = tempCodexHome();
  before(async () => (stack = await startStack()));
  after(() => stack.close());

  it("answers `codex exec --json` from the emulator", async () => {
    const run = await runCodex(stack.server.baseUrl, codexHome.path, stack.server.apiKey, "say hi");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(agentMessage(run), 'Hello from the emulator. You asked: "say hi"');
    const turn = run.events.find((event) => event.type === "turn.completed");
    assert.ok(turn?.usage.output_tokens > 0);

    // One Responses call went upstream, with Codex's body passed through: its
    // non-function tools and fields reach the upstream untouched.
    const upstream = stack.emulator.requests.filter((r) => r.path === "/v1/responses");
    assert.equal(upstream.length, 1);
    const body = upstream[0].body as Record<string, any>;
    const toolTypes = new Set((body.tools as Array<{ type: string }>).map((tool) => tool.type));
    assert.ok([...toolTypes].some((type) => type !== "function"), `tool types: ${[...toolTypes].join(", ")}`);
    assert.equal(body.store, false);
    assert.ok(body.prompt_cache_key);
    const logged = stack.logs.find((entry) => entry.path === "/v1/responses");
    assert.equal(logged?.status, 200);
    assert.ok((logged?.outputTokens ?? 0) > 0);
  });

  it("fails with exit 1 and the server's message when the local key is wrong", async () => {
    const run = await runCodex(stack.server.baseUrl, codexHome.path, "cpk-wrong-key-0000000000", "say hi");
    assert.equal(run.code, 1);
    const failure = JSON.stringify(run.events) + run.stderr;
    assert.match(failure, /401/);
    assert.match(failure, /Incorrect local API key/);
  });
});
