// CLI manners a newcomer meets in the first minutes, each through the real CLI as a child
// process against the emulator: a reader closing stdout early, `ask "words" -` with
// piped stdin, unknown models, did-you-mean, -v/-V and `login -p chatgpt --device`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Emulator } from "#src/emulator/index.js";
import { VERSION } from "#src/version.js";
import { signIn as chatgptSignIn } from "../support/siwc.js";
import { cliEnv, freePorts, signIn as codexSignIn } from "../support/codex.js";
import { runCli, startCli } from "../support/cli.js";
import { startEmulator } from "#src/emulator/index.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs the CLI and closes its stdout as `| head -c N` would: after `bytes` bytes (0: before any output). */
async function runClosingStdout(args: string[], env: Record<string, string>, bytes: number, stdin?: string) {
  const run = startCli(args, { env, inherit: false, stdin });
  const killer = setTimeout(() => run.child.kill("SIGKILL"), 30_000);
  let seen = 0;
  if (bytes === 0) run.child.stdout!.destroy();
  else {
    run.child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen >= bytes) run.child.stdout!.destroy();
    });
  }
  const code = await run.exit;
  clearTimeout(killer);
  return { code, stderr: run.stderr(), seen };
}

describe("CLI manners", () => {
  let emu: Emulator;
  let home: string;
  let env: Record<string, string>;

  before(async () => {
    const ports = await freePorts(2);
    // Slow deltas, so an answer is still streaming when the reader goes away.
    emu = await startEmulator({ deltaDelayMs: 25, auth: { codexRedirectPorts: ports } });
    home = await mkdtemp(join(tmpdir(), "cp-manners-"));
    await codexSignIn(emu, home, ports);
    await chatgptSignIn(emu, home);
    env = cliEnv(emu, home, { CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey });
  });
  after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  });

  const closers: Array<{ args: string[]; bytes: number; stdin?: string }> = [
    { args: ["ask", "Tell me a story"], bytes: 5 },
    { args: ["ask", "--json", "Tell me a story"], bytes: 5 },
    { args: ["chat"], bytes: 5, stdin: "Tell me a story\n" },
    { args: ["models"], bytes: 0 },
    { args: ["usage"], bytes: 0 },
    { args: ["status"], bytes: 0 },
  ];
  for (const { args, bytes, stdin } of closers) {
    it(`${args.join(" ")} with stdout closed ${bytes ? `after ${bytes} bytes` : "at once"} ends quietly with exit 0`, async () => {
      const run = await runClosingStdout(args, env, bytes, stdin);
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /EPIPE|Error|\n\s+at /);
    });
  }

  it('ask "Summarise:" - sends the words as the first line and stdin as the body', async () => {
    const before = emu.requests.length;
    const run = await runCli(["ask", "--quiet", "Summarise:", "-"], { env, inherit: false, stdin: "line one\nline two\n" });
    assert.equal(run.code, 0, run.stderr);
    const request = emu.requests.slice(before).find((r) => r.path === "/v1/responses")!;
    const input = (request.body as { input: Array<{ content: Array<{ text: string }> }> }).input;
    assert.equal(input[0].content[0].text, "Summarise:\n\nline one\nline two\n");
    assert.match((await runCli(["ask", "--help"], { env, inherit: false })).stdout, /echo "long text" \| codex-provider ask "Summarise:" -/);
  });

  for (const provider of ["openai", "chatgpt", "chatgpt-codex"]) {
    it(`an unknown model on ${provider} exits 2 and lists the models ${provider} serves`, async () => {
      const run = await runCli(["ask", "-p", provider, "-q", "-m", "no-such-model", "hi"], { env, inherit: false });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`${provider} serves: [\\w.-]+(, [\\w.-]+)* \\(codex-provider models -p ${provider}\\)`));
    });
  }

  it("suggests the command or flag meant; -v and -V print the version", async () => {
    const command = await runCli(["mdoels"], { env, inherit: false });
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "mdoels"\. Did you mean "models"\?/);
    const flag = await runCli(["ask", "--modle", "gpt-5.5", "hi"], { env, inherit: false });
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Unknown option '--modle'[\s\S]*Did you mean --model\?/);
    for (const version of ["-v", "-V"]) {
      const run = await runCli([version], { env, inherit: false });
      assert.equal(run.code, 0);
      assert.equal(run.stdout, `${VERSION}\n`);
    }
  });

  it("login -p chatgpt --device explains there is no device flow and what to do instead", async () => {
    const run = await runCli(["login", "-p", "chatgpt", "--device"], { env, inherit: false });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Sign in with ChatGPT has no device-code flow/);
    assert.match(run.stderr, /--no-browser/);
    assert.match(run.stderr, /ssh -L 1455:127\.0\.0\.1:1455/);
    assert.match(run.stderr, /login --provider chatgpt-codex --device|--device is for chatgpt-codex/);
  });
});
