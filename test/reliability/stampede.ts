// Refresh stampede: several processes share one signed-in store; the emulator expires
// the access token each round and every process calls at once. Exactly one refresh
// per round, no refresh token presented twice, every call succeeds.
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CredentialStore } from "#src/auth/store/index.js";
import { startEmulator } from "#src/emulator/index.js";
import { signIn, siwcEnv } from "../support/siwc.js";

const WORKER = fileURLToPath(new URL("./fixtures/stampede-worker.js", import.meta.url));

export interface StampedeFigures {
  processes: number;
  callsPerProcess: number;
  rounds: number;
  refreshesPerRound: number[];
  refreshTokenReused: number;
  failedCalls: number;
}

/** The next IPC message from a worker; rejects if the worker exits first. */
export function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once("message", (message) => resolve(message as T));
    child.once("exit", (code) => reject(new Error(`stampede worker exited (${code})`)));
  });
}

export async function stampedeScenario(options: { processes: number; calls: number; rounds: number }): Promise<StampedeFigures> {
  const emu = await startEmulator();
  const home = await mkdtemp(join(tmpdir(), "cp-stress-stampede-"));
  const children: ChildProcess[] = [];
  try {
    await signIn(emu, home);
    const env = siwcEnv(emu, home);
    for (let i = 0; i < options.processes; i++) children.push(fork(WORKER, [], { env, stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    await Promise.all(children.map((child) => nextMessage(child)));
    const reuseBefore = emu.auth.stats.refreshReuseDetected;
    const refreshesPerRound: number[] = [];
    let failedCalls = 0;
    for (let round = 0; round < options.rounds; round++) {
      if (round === 0) {
        // Proactive: the stored token is past its expiry when the processes first read it.
        await new CredentialStore({ home }).modify("default", (data) => {
          const credential = data.credentials.chatgpt;
          if (credential?.type === "oauth") credential.expiresAt = Date.now() - 1000;
        });
      } else {
        // Reactive: the server revokes the access token each process holds in memory.
        emu.auth.expireAccessTokens();
      }
      const before = emu.auth.stats.refreshes;
      const replies = await Promise.all(
        children.map((child) => {
          const reply = nextMessage<{ ok: number; failures: string[] }>(child);
          child.send({ calls: options.calls });
          return reply;
        }),
      );
      refreshesPerRound.push(emu.auth.stats.refreshes - before);
      for (const reply of replies) failedCalls += reply.failures.length;
    }
    const figures: StampedeFigures = {
      processes: options.processes,
      callsPerProcess: options.calls,
      rounds: options.rounds,
      refreshesPerRound,
      refreshTokenReused: emu.auth.stats.refreshReuseDetected - reuseBefore,
      failedCalls,
    };
    assert.deepEqual(refreshesPerRound, Array(options.rounds).fill(1), "exactly one refresh per round");
    assert.equal(figures.refreshTokenReused, 0, "no refresh token was presented twice");
    assert.equal(failedCalls, 0, "every call succeeded");
    return figures;
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await emu.close();
    await rm(home, { recursive: true, force: true });
  }
}
