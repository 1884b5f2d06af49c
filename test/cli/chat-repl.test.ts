// `codex-provider chat` driven through a real pseudo-terminal against the emulator:
// multi-turn history, /model, Ctrl-C cancelling an answer mid-stream without ending
// the program, /usage, /exit and Ctrl-D. Set CHAT_TRANSCRIPT=<file> to keep the screen.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Emulator } from "#src/emulator/index.js";
import { withEmulator } from "../support/emulator.js";
import { ptyUnavailable, screen, spawnCliInPty, type PtySession } from "./pty.js";
import { runCli } from "../support/cli.js";
import { eventually } from "../support/poll.js";

const skip = ptyUnavailable();
const PROMPT = /› $/;

/** Runs `chat` in a pty; returns everything it printed (raw terminal bytes). */
async function withChat(emu: Emulator, args: string[], fn: (pty: PtySession) => Promise<void>): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "cp-chat-"));
  const pty = spawnCliInPty(["chat", ...args], {
    CODEX_PROVIDER_HOME: home,
    CODEX_PROVIDER_API_URL: emu.apiUrl,
    OPENAI_API_KEY: emu.apiKey,
    OPENAI_BASE_URL: undefined,
    CODEX_PROVIDER_PROVIDER: undefined,
    CODEX_PROVIDER_MODEL: undefined,
    NO_COLOR: "1",
  });
  try {
    await fn(pty);
    return pty.output();
  } finally {
    pty.kill();
    await rm(home, { recursive: true, force: true });
  }
}

/** Type a line, then wait for `expect` and the next prompt after it. */
async function say(pty: PtySession, line: string, expect: RegExp): Promise<void> {
  const from = pty.output().length;
  pty.write(`${line}\r`);
  await pty.waitFor(expect, from);
  await pty.waitFor(PROMPT, from);
}

function inferences(emu: Emulator) {
  return emu.requests.filter((r) => r.path === "/v1/responses");
}

describe("chat REPL under a pseudo-terminal", { skip }, () => {
  it("holds a conversation, switches model, cancels an answer with Ctrl-C and keeps going, exits with /exit", async () => {
    await withEmulator({}, async (emu) => {
      let code: number | null = null;
      const output = await withChat(emu, ["-m", "gpt-5.4-mini"], async (pty) => {
        await pty.waitFor(/codex-provider chat · openai · model gpt-5\.4-mini/);
        await pty.waitFor(PROMPT);

        await say(pty, "What is SSE?", /You asked: "What is SSE\?"/);
        await say(pty, "/model gpt-5.4", /model: gpt-5\.4/);
        await say(pty, "And in one word?", /You asked: "And in one word\?"/);

        // Multi-turn: the second request carries the first exchange, with the new model.
        const second = inferences(emu)[1].body as { model: string; input: Array<{ role?: string; content?: Array<{ text?: string }> }> };
        assert.equal(second.model, "gpt-5.4");
        const texts = second.input.map((item) => item.content?.map((part) => part.text).join(""));
        assert.equal(texts[0], "What is SSE?");
        assert.match(texts[1] ?? "", /You asked: "What is SSE\?"/);
        assert.equal(texts.at(-1), "And in one word?");

        // Slow stream: cancel after the first words arrive.
        emu.setFault({ name: "slow", delayMs: 250 });
        const from = pty.output().length;
        pty.write("Tell me a long story\r");
        await pty.waitFor(/Hello from/, from);
        pty.write("\x03");
        await pty.waitFor(/\(cancelled — this answer is not kept\)/, from);
        await pty.waitFor(PROMPT, from);
        const cancelled = inferences(emu)[2];
        await eventually(() => cancelled.clientAborted === true, 10_000, "the request closed, not left to finish");
        assert.doesNotMatch(pty.output().slice(from), /You asked: "Tell me a long story"/, "the answer stopped mid-stream");

        // Still alive, and the cancelled turn is not in the history.
        await say(pty, "Still there?", /You asked: "Still there\?"/);
        const fourth = inferences(emu)[3].body as { input: unknown[] };
        assert.ok(!JSON.stringify(fourth.input).includes("Tell me a long story"));
        await say(pty, "/usage", /session \(3 turns\): tokens: \d+ in/);

        pty.write("/exit\r");
        code = await pty.exit;
      });
      assert.equal(code, 0);
      if (process.env.CHAT_TRANSCRIPT) await writeFile(process.env.CHAT_TRANSCRIPT, screen(output));
      assert.doesNotMatch(output, /\x1b\[3\dm/, "no colour with NO_COLOR");
    });
  });

  it("Ctrl-C at the prompt does not quit; Ctrl-D does; a spinner shows on the terminal while waiting", async () => {
    await withEmulator({}, async (emu) => {
      let code: number | null = null;
      const output = await withChat(emu, [], async (pty) => {
        await pty.waitFor(PROMPT);
        pty.write("half a line");
        const from = pty.output().length;
        pty.write("\x03");
        await pty.waitFor(/\^C \(Ctrl-D or \/exit to quit\)/, from);
        await pty.waitFor(PROMPT, from);
        emu.setFault({ name: "slow", delayMs: 100 });
        await say(pty, "spin", /You asked: "spin"/);
        pty.write("\x04");
        code = await pty.exit;
      });
      assert.equal(code, 0);
      assert.match(output, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] thinking…/, "spinner frames on the terminal");
      assert.ok(!output.includes('You asked: "half a line'), "the interrupted line was dropped");
    });
  });
});

describe("chat with piped input", () => {
  it("answers every line in order, keeps the history, and exits with the last failure's code", async () => {
    await withEmulator({}, async (emu) => {
      const env = { CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey, OPENAI_BASE_URL: undefined, CODEX_PROVIDER_PROVIDER: undefined };
      const run = await runCli(["chat", "-m", "gpt-5.4-mini"], { env, stdin: "first\n/model gpt-5.4\nsecond \\\nline\n" });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'Hello from the emulator. You asked: "first"\nmodel: gpt-5.4\nHello from the emulator. You asked: "second line"\n');
      assert.equal((inferences(emu)[1].body as { input: unknown[] }).input.length, 3, "history + the new message");
      const noKey = await runCli(["chat"], { env: { ...env, OPENAI_API_KEY: undefined }, stdin: "hi\n" });
      assert.equal(noKey.code, 3);
      assert.match(noKey.stderr, /No OpenAI API key found/);
    });
  });
});
