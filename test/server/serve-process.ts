// `codex-provider serve` as a real child process for tests: started on a free port,
// its connection details read from stdout, its log collected, stopped by signal.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { BIN } from "../support/cli.js";

const STOP_TIMEOUT_MS = 30_000;

export interface ServeProcess {
  /** `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  pid: number;
  /** The first stdout line parsed, with `--json`. */
  details?: Record<string, any>;
  stdout(): string;
  stderr(): string;
  /** Send `signal` (SIGINT by default) and wait for the exit code; SIGKILL if it hangs. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(args: string[], env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], { env });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
      const url = /(http:\/\/127\.0\.0\.1:\d+\/v1)\b/.exec(stdout);
      if (url) resolve(url[1]);
    });
    child.once("close", () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  const closed = once(child, "close") as Promise<[number | null]>;
  return {
    baseUrl,
    pid: child.pid!,
    details: args.includes("--json") ? JSON.parse(stdout.split("\n")[0]) : undefined,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal = "SIGINT") {
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      const [code] = await closed;
      clearTimeout(timer);
      return code;
    },
  };
}
