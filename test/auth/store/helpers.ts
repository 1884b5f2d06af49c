// Shared plumbing for the store tests: scratch homes and child-process workers.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("./fixtures/store-worker.js", import.meta.url));


export function startWorker(mode: string, home: string, arg?: string, staleMs = 2000): ChildProcess {
  const args = arg === undefined ? [mode, home] : [mode, home, arg];
  return fork(WORKER, args, { env: { ...process.env, STORE_STALE_MS: String(staleMs) }, stdio: "inherit" });
}

export function nextMessage(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before sending`)));
  });
}

export function exited(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
}

export async function kill(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.kill("SIGKILL");
  await done;
}
