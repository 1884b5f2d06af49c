// The real CLI (bin/codex-provider.js) as a child process, every byte of its output
// captured. A child that outlives `timeoutMs` is killed (SIGKILL), so a hung CLI fails
// its test instead of hanging the suite.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "#src/emulator/index.js";

/** The repository root (tests run from dist-test/test/…). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const BIN = fileURLToPath(new URL("../../../bin/codex-provider.js", import.meta.url));

const DEFAULT_TIMEOUT_MS = 60_000;

/** Everything any CLI child printed in this test process, for token-leak checks. */
export const printed: string[] = [];

export interface CliOptions {
  /**
   * Changes to this process's environment (undefined removes a variable; NO_COLOR=1 unless
   * set), or, with `inherit: false`, the child's whole environment.
   */
  env?: Record<string, string | undefined>;
  inherit?: boolean;
  stdin?: string | Uint8Array;
  timeoutMs?: number;
  /** Sees all stderr so far after each chunk (to answer a prompt or send a signal). */
  onStderr?(text: string, child: ChildProcess): void;
}

export interface CliResult {
  /** null when the child died of a signal (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr; rejects on exit or after `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The exit code (null after a signal). */
  exit: Promise<number | null>;
  result: Promise<CliResult>;
}

const OPTION_KEYS = new Set(["env", "inherit", "stdin", "timeoutMs", "onStderr"]);

function childEnv(options: CliOptions): Record<string, string> {
  // An environment passed where the options belong type-checks (index signature); refuse it.
  const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.has(key));
  if (unknown.length > 0) throw new Error(`startCli: unknown options ${unknown.join(", ")} (pass an environment as { env })`);
  const merged = options.inherit === false ? { ...options.env } : { ...process.env, NO_COLOR: "1", ...options.env };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) env[name] = value;
  return env;
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(options), stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString();
    options.onStderr?.(err, child);
  });
  child.stdin!.on("error", () => {}); // a child that exits without reading stdin is not a test failure
  child.stdin!.end(options.stdin ?? "");
  const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(killer);
      printed.push(out, err);
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit: result.then((r) => r.code),
    result,
    waitForStderr(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = err.match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          }
          return match !== null;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`stderr never matched ${pattern}; got:\n${err}`));
        }, timeoutMs);
        const onData = () => void check();
        const onClose = () => {
          if (!check()) {
            cleanup();
            reject(new Error(`CLI exited before stderr matched ${pattern}; got:\n${err}\n${out}`));
          }
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.stderr!.off("data", onData);
          child.off("close", onClose);
        };
        if (check()) return;
        child.stderr!.on("data", onData);
        child.once("close", onClose);
      });
    },
  };
}

/** Run the CLI to completion. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
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
