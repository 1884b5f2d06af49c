// What the CLI shows besides the answer, as a user runs it (child processes against the
// emulator): a refusal is labelled on stderr with exit 6 (never a silent empty success),
// `--json` carries it, and commentary (preambles) goes to stderr, not into the answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ExitCode } from "#src/cli/exit-codes.js";
import { startEmulator, type Emulator } from "#src/emulator/index.js";
import { platformEnv as envFor, runCli } from "../support/cli.js";

const REFUSAL = "I'm sorry, but I can't help with that request.";

async function withEmu(fn: (emu: Emulator) => Promise<void>): Promise<void> {
  const emu = await startEmulator();
  try {
    await fn(emu);
  } finally {
    await emu.close();
  }
}

test("ask: a refusal is labelled on stderr, even with --quiet, and exits 6 with nothing on stdout", async () => {
  await withEmu(async (emu) => {
    for (const args of [["ask", "hi"], ["ask", "-q", "hi"]]) {
      emu.setFault({ name: "refusal" });
      const run = await runCli(args, { env: await envFor(emu) });
      assert.equal(run.code, ExitCode.refused, run.stderr);
      assert.equal(run.code, 6, "documented in the README");
      assert.equal(run.stdout, "");
      assert.match(run.stderr, new RegExp(`refusal: ${REFUSAL}\\n`));
    }
  });
});

test("ask --json: refusal_delta events and result.refusal, exit 6", async () => {
  await withEmu(async (emu) => {
    emu.setFault({ name: "refusal" });
    const run = await runCli(["ask", "--json", "hi"], { env: await envFor(emu) });
    assert.equal(run.code, 6, run.stderr);
    const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(events.filter((e) => e.type === "refusal_delta").map((e) => e.delta).join(""), REFUSAL);
    assert.equal(events.at(-1).result.refusal, REFUSAL);
  });
});

test("ask and chat: commentary goes to stderr, the answer alone to stdout", async () => {
  await withEmu(async (emu) => {
    emu.setFault({ name: "commentary" });
    const ask = await runCli(["ask", "hi"], { env: await envFor(emu) });
    assert.equal(ask.code, 0, ask.stderr);
    assert.equal(ask.stdout, 'Hello from the emulator. You asked: "hi"\n');
    assert.match(ask.stderr, /^Let me think about how to answer\.\n\n/);

    emu.setFault({ name: "commentary" });
    const chat = await runCli(["chat"], { env: await envFor(emu), stdin: "hi\n" });
    assert.equal(chat.code, 0, chat.stderr);
    assert.equal(chat.stdout, 'Hello from the emulator. You asked: "hi"\n');
    assert.match(chat.stderr, /Let me think about how to answer\./);
  });
});

test("ask: URL citations are listed on stderr after the answer", async () => {
  await withEmu(async (emu) => {
    emu.setFault({ name: "annotations" });
    const run = await runCli(["ask", "hi"], { env: await envFor(emu) });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /source: Emulated source <https:\/\/example\.com\/emulated-source>/);
  });
});
