// The real Claude Code CLI (@anthropic-ai/claude-code 2.1.332, a native binary from npm)
// pointed at the local server's Anthropic Messages endpoint with ANTHROPIC_BASE_URL and
// ANTHROPIC_API_KEY; the server forwards to the emulator through provider `openai`.
// Offline: non-essential traffic is off, and a dead loopback proxy catches anything
// else it might try to reach, so only the local server answers.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startStack, type Stack } from "./helpers.js";

const require = createRequire(import.meta.url);
// The package's own fallback launcher: finds the platform binary without its postinstall having run.
const WRAPPER = join(dirname(require.resolve("@anthropic-ai/claude-code/package.json")), "cli-wrapper.cjs");
const PLATFORM_PACKAGE = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;

function platformBinaryInstalled(): boolean {
  try {
    return existsSync(dirname(require.resolve(`${PLATFORM_PACKAGE}/package.json`)));
  } catch {
    return false;
  }
}

interface ClaudeRun {
  code: number | null;
  result: Record<string, any>;
  stderr: string;
}

function runClaude(url: string, key: string, home: string, prompt: string): Promise<ClaudeRun> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: key,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    HTTPS_PROXY: "http://127.0.0.1:9",
    HTTP_PROXY: "http://127.0.0.1:9",
    NO_PROXY: "127.0.0.1,localhost",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRAPPER, "-p", prompt, "--output-format", "json"], { cwd: home, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        resolve({ code, result: JSON.parse(stdout), stderr });
      } catch {
        reject(new Error(`claude printed no JSON result (exit ${code}): ${stdout.slice(0, 500)} ${stderr.slice(0, 500)}`));
      }
    });
  });
}

describe("Claude Code CLI through the local server", { skip: platformBinaryInstalled() ? false : `${PLATFORM_PACKAGE} is not installed (no Claude Code binary for this platform)` }, () => {
  let stack: Stack;
  let home: string;
  before(async () => {
    stack = await startStack({ server: { claudeModel: "gpt-5.5" } });
    home = await mkdtemp(join(tmpdir(), "claude-home-"));
  });
  after(async () => {
    await stack.close();
    await rm(home, { recursive: true, force: true });
  });

  it("answers `claude -p` from the emulator, with Claude Code's tools sent upstream as functions", async () => {
    const run = await runClaude(stack.server.url, stack.server.apiKey, home, "say hi");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.result.is_error, false, JSON.stringify(run.result));
    assert.match(run.result.result, /^Hello from the emulator\. You asked:/);
    assert.equal(run.result.stop_reason, "end_turn");
    assert.ok(run.result.usage.input_tokens > 0);

    const messages = stack.logs.filter((entry) => entry.path === "/v1/messages");
    assert.deepEqual(messages.map((entry) => [entry.status, entry.model]), [[200, "gpt-5.5"]]);
    const upstream = stack.emulator.requests.filter((r) => r.path === "/v1/responses");
    assert.equal(upstream.length, 1);
    const body = upstream[0].body as Record<string, any>;
    assert.equal(body.model, "gpt-5.5");
    assert.ok(body.tools.length > 5 && body.tools.every((tool: { type: string }) => tool.type === "function"), "Claude Code's client tools became function tools");
    assert.ok(String(body.instructions).length > 100, "its system prompt became instructions");
  });

  it("shows a wrong key as an authentication error", async () => {
    const run = await runClaude(stack.server.url, "cpk-not-the-key-0123456789", home, "say hi");
    assert.notEqual(run.code, 0);
    assert.equal(run.result.is_error, true);
    assert.equal(run.result.api_error_status, 401);
  });
});
