// The refresh path when the access token has expired: N concurrent calls in one process,
// then 8 processes sharing one store. Each scenario runs a round with a valid token (the
// baseline) and a round after the emulator expired it (the stored expiry is moved into
// the past and the server revokes the token in memory), and reports the refresh requests
// the emulator saw (goal: exactly 1 per expiry) and the latency the waiting calls added.
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CredentialStore } from "#src/auth/store/index.js";
import { startEmulator, type Emulator } from "#src/emulator/index.js";
import { createProvider } from "#src/index.js";
import { signIn, siwcEnv } from "../test/support/siwc.js";
import { nextMessage } from "../test/reliability/stampede.js";
import { percentile, signed } from "./measure.js";
import { concurrentCalls } from "./refresh-calls.js";

type Round = { latencies: number[]; failed: number };

interface RefreshFigures {
  calls: number;
  refreshes: number;
  failed: number;
  baseline: { p50Ms: number; p99Ms: number };
  expired: { p50Ms: number; p99Ms: number };
}

const WORKER = fileURLToPath(new URL("./refresh-worker.js", import.meta.url));

async function expire(emu: Emulator, home: string): Promise<void> {
  await new CredentialStore({ home }).modify("default", (data) => {
    const credential = data.credentials.chatgpt;
    if (credential?.type === "oauth") credential.expiresAt = Date.now() - 1000;
  });
  emu.auth.expireAccessTokens();
}

function merge(rounds: Round[]): Round {
  return { latencies: rounds.flatMap((r) => r.latencies), failed: rounds.reduce((n, r) => n + r.failed, 0) };
}

const spread = (round: Round) => ({ p50Ms: percentile(round.latencies, 50), p99Ms: percentile(round.latencies, 99) });

async function measure(emu: Emulator, home: string, calls: number, round: () => Promise<Round>): Promise<RefreshFigures> {
  const baseline = await round();
  await expire(emu, home);
  const before = emu.auth.stats.refreshes;
  const expired = await round();
  return { calls, refreshes: emu.auth.stats.refreshes - before, failed: baseline.failed + expired.failed, baseline: spread(baseline), expired: spread(expired) };
}

export async function benchRefresh(log: (line: string) => void, quick: boolean): Promise<Record<string, RefreshFigures>> {
  const emu = await startEmulator();
  const home = await mkdtemp(join(tmpdir(), "cp-bench-refresh-"));
  const children: ChildProcess[] = [];
  try {
    await signIn(emu, home);
    const env = siwcEnv(emu, home);
    const out: Record<string, RefreshFigures> = {};

    const inProcessCalls = quick ? 100 : 1000;
    const provider = createProvider({ provider: "chatgpt", env });
    await provider.complete({ input: "warm" });
    out.oneProcess = await measure(emu, home, inProcessCalls, () => concurrentCalls(provider, inProcessCalls));

    const processes = 8;
    const perProcess = quick ? 10 : 125;
    for (let i = 0; i < processes; i++) children.push(fork(WORKER, [], { env, stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    await Promise.all(children.map((child) => nextMessage(child)));
    const round = async () =>
      merge(
        await Promise.all(
          children.map((child) => {
            const reply = nextMessage<Round>(child);
            child.send({ calls: perProcess });
            return reply;
          }),
        ),
      );
    await round(); // each process signs its provider in and warms up
    out.eightProcesses = await measure(emu, home, processes * perProcess, round);

    for (const [name, f] of Object.entries(out)) {
      const label = name === "oneProcess" ? `${f.calls} concurrent calls, one process` : `${processes} processes × ${perProcess} concurrent calls, one store`;
      log(
        `  ${label.padEnd(44)} refresh requests ${f.refreshes} (goal 1)   failed ${f.failed}   ` +
          `p50 ${f.baseline.p50Ms.toFixed(1)} → ${f.expired.p50Ms.toFixed(1)} ms (${signed(f.expired.p50Ms - f.baseline.p50Ms, 1)})   ` +
          `p99 ${f.baseline.p99Ms.toFixed(1)} → ${f.expired.p99Ms.toFixed(1)} ms (${signed(f.expired.p99Ms - f.baseline.p99Ms, 1)})`,
      );
    }
    return out;
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await emu.close();
    await rm(home, { recursive: true, force: true });
  }
}
