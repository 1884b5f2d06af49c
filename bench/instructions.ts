// Instructions per call, which machine load does not change: `npm run bench --
// --instructions` runs each client under `valgrind --tool=callgrind` for 220 calls and
// for 1000 more; the difference over 1000 is the instructions one warm call costs in
// the client's process (the upstream runs in its own process, outside valgrind). The
// first 220 calls absorb most of the JIT's work, which a shorter window would count.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { clients, FLOOR, KEY } from "./clients.js";
import { LOCAL_KEY } from "./proxy.js";
import { startChildHost } from "./upstream.js";

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

/**
 * The same for a proxy's own process: `serve` and the pass-through (bench/proxy.ts) under
 * callgrind, the floor client driving 220 and 1,220 sequential calls through each from
 * outside valgrind. Settles what interleaved CPU rounds on a loaded machine cannot.
 */
export async function benchProxyInstructions(upstream: string, log: (line: string) => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, kind] of [["pass-through proxy", "passthrough"], ["serve", "serve"]] as const) {
    const base = await proxyInstructions(upstream, kind, BASE_CALLS);
    out[name] = ((await proxyInstructions(upstream, kind, BASE_CALLS + EXTRA_CALLS)) - base) / EXTRA_CALLS;
  }
  for (const [name, perCall] of Object.entries(out)) {
    log(`  ${name.padEnd(20)} ${Math.round(perCall).toLocaleString("en")} instructions per proxied call   ${(perCall / out["pass-through proxy"]).toFixed(2)}× the pass-through`);
  }
  return out;
}

async function proxyInstructions(upstream: string, kind: "serve" | "passthrough", calls: number): Promise<number> {
  const file = join(tmpdir(), `cp-bench-callgrind-proxy-${process.pid}.out`);
  const script = fileURLToPath(new URL("./proxy.js", import.meta.url));
  const host = await startChildHost(script, [kind, upstream], [], ["valgrind", "-q", "--tool=callgrind", `--callgrind-out-file=${file}`]);
  try {
    const call = clients[FLOOR](`${host.url}/v1`, kind === "serve" ? LOCAL_KEY : KEY);
    for (let i = 0; i < calls; i++) await call();
  } finally {
    // SIGTERM: the host exits in order, and callgrind writes its counts.
    host.stop();
    await host.exited;
  }
  const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(file, "utf8"));
  rmSync(file, { force: true });
  if (!totals) throw new Error(`callgrind wrote no totals for the ${kind} proxy`);
  return Number(totals[1]);
}
