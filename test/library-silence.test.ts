// The library never writes to the terminal: retries, warnings and the experimental
// notice reach the caller's onNotice hook as typed objects, and nothing else. Run in a
// child process so that any write to the real stdout/stderr is seen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withEmulator } from "./support/emulator.js";

const INDEX = import.meta.resolve("#src/index.js");

/** A program using the library: one retried call with a malformed event, and a chatgpt-codex provider. */
const PROGRAM = `
import { createProvider } from ${JSON.stringify(INDEX)};
const notices = [];
const onNotice = process.env.HOOK === "1" ? (notice) => notices.push(notice.code) : undefined;
const env = { CODEX_PROVIDER_API_URL: process.env.API_URL };
await createProvider({ provider: "openai", apiKey: process.env.API_KEY, env, retry: { baseDelayMs: 1 }, onNotice }).complete({ input: "hi" });
await createProvider({ provider: "chatgpt-codex", home: process.env.HOME_DIR, env: {}, onNotice }).listModels().catch(() => {});
if (onNotice) process.stdout.write(JSON.stringify(notices));
`;

function runProgram(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", PROGRAM], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

for (const hook of [false, true]) {
  test(`a retry, a skipped event and the experimental notice write nothing to stdout/stderr (${hook ? "with" : "without"} onNotice)`, async () => {
    await withEmulator({}, async (emu) => {
      emu.setFault({ name: "rate_limit", times: 1, retryAfterMs: 1 });
      emu.setFault({ name: "malformed", times: 1 });
      const home = await mkdtemp(join(tmpdir(), "cp-silence-"));
      const run = await runProgram({ HOOK: hook ? "1" : "0", API_URL: emu.apiUrl, API_KEY: emu.apiKey, HOME_DIR: home });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      if (!hook) return assert.equal(run.stdout, "");
      assert.deepEqual(JSON.parse(run.stdout), ["retry", "warning", "experimental_provider"]);
    });
  });
}
