// The README's main command: the demo runs end to end against the emulator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../support/cli.js";

test("demo: API key, ChatGPT sign-in, Codex device sign-in, usage and status, all against the emulator", async () => {
  const run = await runCli(["demo", "--delay", "0"], {
    env: { OPENAI_API_KEY: undefined, CODEX_PROVIDER_HOME: undefined, CODEX_PROVIDER_PROVIDER: undefined, CODEX_ACCESS_TOKEN: undefined },
    timeoutMs: 60_000,
  });
  assert.equal(run.code, 0, run.stderr);
  const answers = run.stdout.match(/Hello from the emulator\. You asked: "What does codex-provider do\?"/g) ?? [];
  assert.equal(answers.length, 3, "openai, chatgpt and chatgpt-codex each answered");
  assert.match(run.stderr, /tokens: \d+ in/);
  assert.match(run.stderr, /\[demo browser\] approved/);
  assert.match(run.stderr, /\[demo\] approved the code/);
  assert.match(run.stdout, /5 h .*% used/);
  assert.match(run.stdout, /chatgpt-codex \(experimental, ChatGPT-backed\)/);
  // Tokens issued during the demo never reach the terminal (JWTs and refresh tokens).
  assert.doesNotMatch(run.stdout + run.stderr, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  assert.doesNotMatch(run.stdout + run.stderr, /\brt_[A-Za-z0-9_-]{20,}/);
});
