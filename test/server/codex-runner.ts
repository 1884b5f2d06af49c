// Runs the real Codex CLI (@openai/codex, native binary from npm) against the local
// server with a custom provider: `wire_api = "responses"` and `env_key` holding the
// local key (docs/protocol.md#codex-cli-client). Offline, loopback only, with a throwaway CODEX_HOME.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before } from "node:test";

const require = createRequire(import.meta.url);
/** The devDependency's entry script; "" when it is not installed (the tests that need it skip). */
export const CODEX = codexEntry();

function codexEntry(): string {
  try {
    return join(dirname(require.resolve("@openai/codex/package.json")), "bin", "codex.js");
  } catch {
    return "";
  }
}

/** One run of the real Codex CLI in exactly `env` (nothing of this machine's own), killed after 30 s; stdout and stderr apart. */
export function runCodexCommand(args: string[], env: Record<string, string>, options: { cwd?: string; stdin?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CODEX, ...args], { cwd: options.cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.stdin.end(options.stdin ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CodexRun {
  code: number | null;
  /** The `--json` JSONL events. */
  events: Array<Record<string, any>>;
  stderr: string;
}

/** A CODEX_HOME for this test file, removed afterwards. */
export function tempCodexHome(): { path: string } {
  const home = { path: "" };
  before(async () => (home.path = await mkdtemp(join(tmpdir(), "codex-home-"))));
  after(() => rm(home.path, { recursive: true, force: true }));
  return home;
}

export async function runCodex(baseUrl: string, codexHome: string, key: string, prompt: string, model = "gpt-5.5"): Promise<CodexRun> {
  // No retries: a failure should show at once, not after Codex's backoff (docs/protocol.md#codex-retry-reference).
  const provider = `{name="codex-provider",base_url="${baseUrl}",wire_api="responses",env_key="CODEX_PROVIDER_KEY",request_max_retries=0,stream_max_retries=0}`;
  const args = ["exec", "--json", "--ephemeral", "--skip-git-repo-check", "-m", model, "-c", "model_provider=codex-provider", "-c", `model_providers.codex-provider=${provider}`, prompt];
  // A clean environment: no real credentials or config of the machine running the tests.
  const { code, stdout, stderr } = await runCodexCommand(args, { HOME: codexHome, CODEX_HOME: codexHome, CODEX_PROVIDER_KEY: key }, { cwd: codexHome });
  const events = stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, any>);
  return { code, events, stderr };
}

/** The agent's final message text, if Codex printed one. */
export function agentMessage(run: CodexRun): string | undefined {
  return run.events.find((event) => event.type === "item.completed" && event.item?.type === "agent_message")?.item.text;
}
