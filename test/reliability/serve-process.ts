// `codex-provider serve` as a real child process for the reliability scenarios: its
// connection details, its local key, its output, and its resident memory.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { BIN } from "../support/cli.js";

export interface ServeProcess {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  key: string;
  /** Everything written so far (the access log goes to stderr). */
  output(): { stdout: string; stderr: string };
  /** Resident set size in bytes (Linux /proc), or undefined elsewhere. */
  rss(): number | undefined;
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const printed = spawnSync(process.execPath, [BIN, "serve", "--print-key"], { env, encoding: "utf8" });
  if (printed.status !== 0) throw new Error(`serve --print-key failed: ${printed.stderr}`);
  const key = printed.stdout.trim();
  const child = spawn(process.execPath, [BIN, "serve", "--json", "--port", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
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
    rss() {
      try {
        const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
        return kb === undefined ? undefined : Number(kb) * 1024;
      } catch {
        return undefined;
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
