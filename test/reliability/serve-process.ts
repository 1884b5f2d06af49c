// `codex-provider serve` as a real child process for the reliability scenarios: its
// connection details, its local key, its output, and its resident memory.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { BIN } from "../support/cli.js";

const MEMORY_PROBE = new URL("./fixtures/memory-probe.js", import.meta.url).href;
const MEMORY_PROBE_TIMEOUT_MS = 30_000;

export interface ServeProcess {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  key: string;
  /** Everything written so far (the access log goes to stderr). */
  output(): { stdout: string; stderr: string };
  /** Resident set size in bytes (Linux /proc), or undefined elsewhere. */
  rss(): number | undefined;
  /** Peak resident set size so far in bytes (Linux /proc), or undefined elsewhere. */
  peakRss(): number | undefined;
  /** Heap figures after a full garbage collection; only with `memoryProbe`. */
  memoryAfterGc(): Promise<NodeJS.MemoryUsage>;
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * `memoryProbe`: run `serve` with `--expose-gc` and fixtures/memory-probe.js preloaded
 * over an IPC channel, for `memoryAfterGc`. `serve` itself is unchanged.
 */
export async function startServe(env: Record<string, string>, options: { memoryProbe?: boolean } = {}): Promise<ServeProcess> {
  const printed = spawnSync(process.execPath, [BIN, "serve", "--print-key"], { env, encoding: "utf8" });
  if (printed.status !== 0) throw new Error(`serve --print-key failed: ${printed.stderr}`);
  const key = printed.stdout.trim();
  const probe = options.memoryProbe ? ["--expose-gc", "--import", MEMORY_PROBE] : [];
  const child = spawn(process.execPath, [...probe, BIN, "serve", "--json", "--port", "0"], {
    env,
    stdio: options.memoryProbe ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
  const details = await new Promise<{ baseUrl: string }>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk;
      if (stdout.includes("\n")) resolve(JSON.parse(stdout.split("\n")[0]) as { baseUrl: string });
    });
    child.once("close", () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    baseUrl: details.baseUrl,
    port: Number(new URL(details.baseUrl).port),
    key,
    output: () => ({ stdout, stderr }),
    rss: () => procStatusBytes(child.pid, "VmRSS"),
    peakRss: () => procStatusBytes(child.pid, "VmHWM"),
    async memoryAfterGc() {
      if (!options.memoryProbe) throw new Error("startServe: memoryAfterGc needs the memory probe");
      const timer = new AbortController();
      const reply = new Promise<NodeJS.MemoryUsage>((resolve) => child.once("message", (usage) => resolve(usage as NodeJS.MemoryUsage)));
      const timedOut = sleep(MEMORY_PROBE_TIMEOUT_MS, undefined, { signal: timer.signal }).then(() => {
        throw new Error("serve's memory probe did not answer");
      });
      child.send("memory");
      try {
        return await Promise.race([reply, timedOut]);
      } finally {
        timer.abort();
        timedOut.catch(() => undefined);
      }
    },
    alive,
    async stop() {
      if (!alive()) return;
      const closed = new Promise((resolve) => child.once("close", resolve));
      child.kill("SIGINT");
      await closed;
    },
  };
}

/** A `kB` field of /proc/<pid>/status in bytes, or undefined where there is no /proc. */
function procStatusBytes(pid: number | undefined, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
