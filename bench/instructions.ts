// Instructions per call, which machine load does not change: `npm run bench --
// --instructions` runs each client under `valgrind --tool=callgrind` for 220 calls and
// for 1000 more; the difference over 1000 is the instructions one warm call costs in
// the client's process (the upstream runs in its own process, outside valgrind). The
// first 220 calls absorb most of the JIT's work, which a shorter window would count.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FLOOR } from "./clients.js";

const SCRIPT = fileURLToPath(new URL("./profile.js", import.meta.url));
const BASE_CALLS = 220;
const EXTRA_CALLS = 1000;

function instructions(upstream: string, client: string, calls: number): number {
  const out = join(tmpdir(), `cp-bench-callgrind-${process.pid}.out`);
  const run = spawnSync("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, process.execPath, SCRIPT, upstream, String(calls), client], { encoding: "utf8" });
  rmSync(out, { force: true });
  const collected = /Collected : (\d+)/.exec(run.stderr ?? "");
  if (run.status !== 0 || !collected) throw new Error(`valgrind on ${client} failed (${run.error?.message ?? `exit ${run.status}`})`);
  return Number(collected[1]);
}

export function benchInstructions(upstream: string, log: (line: string) => void, clients: string[] = ["codex-provider", "codex-provider (node:http)", FLOOR]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const client of clients) {
    out[client] = (instructions(upstream, client, BASE_CALLS + EXTRA_CALLS) - instructions(upstream, client, BASE_CALLS)) / EXTRA_CALLS;
  }
  for (const [client, perCall] of Object.entries(out)) {
    log(`  ${client.padEnd(36)} ${Math.round(perCall).toLocaleString("en")} instructions per call   ${(perCall / out[FLOOR]).toFixed(2)}× the floor`);
  }
  return out;
}
