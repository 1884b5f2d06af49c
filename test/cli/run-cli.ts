// Runs the real CLI (bin/codex-provider.js) as a child process and captures everything.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Emulator } from "#src/emulator/index.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = resolve(ROOT, "bin/codex-provider.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: "1", ...options.env })) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A CLI environment pointed at the emulator's Platform API with its key, in a fresh state directory. */
export async function platformEnv(emu: Emulator, extra: Record<string, string | undefined> = {}): Promise<Record<string, string | undefined>> {
  return {
    CODEX_PROVIDER_HOME: await mkdtemp(join(tmpdir(), "cp-cli-")),
    CODEX_PROVIDER_API_URL: emu.apiUrl,
    OPENAI_API_KEY: emu.apiKey,
    OPENAI_BASE_URL: undefined,
    CODEX_PROVIDER_PROVIDER: undefined,
    ...extra,
  };
}
