// `ask --fallback chatgpt,openai` as a child process against the emulator: a usage limit on
// the ChatGPT sign-in prints one notice line on stderr and the answer comes from the Platform
// key (exit 0); `--json` carries the fallback event; `status` shows the chain.
import assert from "node:assert/strict";
import { test } from "node:test";
import { signIn, tempHome, useEmulator } from "../chatgpt/helpers.js";
import { runCli } from "./run-cli.js";

const fixture = useEmulator();

async function env() {
  const { emu } = fixture;
  const home = await tempHome();
  await signIn(emu, home);
  return {
    CODEX_PROVIDER_HOME: home,
    CODEX_PROVIDER_AUTH_URL: emu.authUrl,
    CODEX_PROVIDER_API_URL: emu.apiUrl,
    OPENAI_API_KEY: emu.apiKey,
    OPENAI_BASE_URL: undefined,
    CODEX_PROVIDER_PROVIDER: undefined,
    CODEX_PROVIDER_FALLBACK: undefined,
  };
}

test("ask prints the switch on stderr and answers from the next entry", async () => {
  const { emu } = fixture;
  const childEnv = await env();
  emu.setFault({ name: "usage_limit" });
  const run = await runCli(["ask", "--fallback", "chatgpt,openai", "hi"], { env: childEnv });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'Hello from the emulator. You asked: "hi"\n');
  const notices = run.stderr.split("\n").filter((line) => line.includes("continuing on"));
  assert.deepEqual(notices, ["codex-provider: usage limit reached on chatgpt; continuing on openai."]);
});

test("ask --json carries the fallback event before the answer", async () => {
  const { emu } = fixture;
  const childEnv = await env();
  emu.setFault({ name: "usage_limit" });
  const run = await runCli(["ask", "--json", "--fallback", "chatgpt,openai", "hi"], { env: childEnv });
  assert.equal(run.code, 0, run.stderr);
  const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string });
  const index = events.findIndex((e) => e.type === "fallback");
  assert.deepEqual(events[index], { type: "fallback", from: "chatgpt", to: "openai", reason: "usage_limit_reached" });
  assert.ok(index < events.findIndex((e) => e.type === "text_delta"));
  assert.equal(events.at(-1)?.type, "done");
});

test("status shows the chain", async () => {
  const run = await runCli(["status", "--fallback", "chatgpt,openai"], { env: await env() });
  assert.match(run.stdout, /^fallback: chatgpt → openai$/m);
});
