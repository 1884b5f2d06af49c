// `ask --fallback chatgpt,openai` as a child process against the emulator: a usage limit on
// the ChatGPT sign-in prints one notice line on stderr and the answer comes from the Platform
// key (exit 0); `--json` carries the fallback event; `status` shows the chain.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { WINDOWS_FILE } from "#src/providers/exhausted-windows.js";
import { signIn, tempHome, useEmulator } from "../support/siwc.js";
import { runCli } from "../support/cli.js";

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

/** The pattern of a reset's "at": the time, with the date before it when the reset is not today (2.5 h on crosses midnight late in the day). */
function at(resetsAt: number): string {
  return new Date().toDateString() === new Date(resetsAt).toDateString() ? String.raw`\d\d:\d\d` : String.raw`[A-Z][a-z]{2} \d{1,2} \d\d:\d\d`;
}

test("status shows the chain and which entries are out of usage until when", async () => {
  const childEnv = await env();
  const run = await runCli(["status", "--fallback", "chatgpt,openai"], { env: childEnv });
  assert.match(run.stdout, /^fallback: chatgpt → openai$/m);

  // What a usage limit with a reset time leaves behind (see the provider test for how it gets there).
  const resetsAt = Date.now() + 150 * 60_000;
  await writeFile(join(childEnv.CODEX_PROVIDER_HOME, WINDOWS_FILE), JSON.stringify({ chatgpt: resetsAt }), { mode: 0o600 });
  const exhausted = await runCli(["status", "--json", "--fallback", "chatgpt,openai"], { env: childEnv });
  const chain = (JSON.parse(exhausted.stdout) as { fallback: unknown }).fallback;
  assert.deepEqual(chain, [{ label: "chatgpt", exhaustedUntil: new Date(resetsAt).toISOString() }, { label: "openai" }]);
  const text = await runCli(["status", "--fallback", "chatgpt,openai"], { env: childEnv });
  assert.match(text.stdout, new RegExp(`^fallback: chatgpt \\(out of usage, resets in 2 h \\d+ min, at ${at(resetsAt)}\\) → openai$`, "m"));
});

test("doctor shows the chain and which entries are out of usage until when", async () => {
  const childEnv = await env();
  const resetsAt = Date.now() + 150 * 60_000;
  await writeFile(join(childEnv.CODEX_PROVIDER_HOME, WINDOWS_FILE), JSON.stringify({ chatgpt: resetsAt }), { mode: 0o600 });
  const json = await runCli(["doctor", "--json", "--fallback", "chatgpt,openai"], { env: childEnv });
  const chain = (JSON.parse(json.stdout) as { fallback: unknown }).fallback;
  assert.deepEqual(chain, [{ label: "chatgpt", exhaustedUntil: new Date(resetsAt).toISOString() }, { label: "openai" }]);
  const text = await runCli(["doctor", "--fallback", "chatgpt,openai"], { env: childEnv });
  assert.match(text.stdout, new RegExp(`^· fallback +chatgpt \\(out of usage, resets in 2 h \\d+ min, at ${at(resetsAt)}\\) → openai$`, "m"));
});
