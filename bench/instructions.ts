// Instructions per call, which machine load does not change: `npm run bench --
// --instructions` runs each client under `valgrind --tool=callgrind` for 220 calls and
// for 1000 more; the difference over 1000 is the instructions one warm call costs in
// the client's process (the upstream runs in its own process, outside valgrind). The
// first 220 calls absorb most of the JIT's work, which a shorter window would count.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { logFunctionDiff, PERF_MAP_FLAGS, selfByFunction } from "./callgrind-functions.js";
import { clients, FLOOR } from "./clients.js";
import { KEY, LOCAL_KEY } from "./keys.js";
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

/** Calls a proxy gets before its steady state is counted: its JIT is still compiling long after the first thousand (V8 tiers a function up after many calls, and most of a server's code runs once per request). */
const PROXY_WARM_CALLS = 4000;
const PROXY_CALLS = 2000;

export interface ProxyInstructions {
  /** Per call over the first PROXY_WARM_CALLS, start-up excluded: what a fresh server pays while its JIT warms up. */
  warmUp: number;
  /** Per call after them. */
  steady: number;
  /** With `byFunction`: the steady state's self instructions per call, by function. */
  functions?: Record<string, number>;
}

/**
 * The same for a proxy's own process: `serve`, the pass-through and the parsing proxy (bench/proxy.ts) under
 * callgrind, the floor client driving calls through each from outside valgrind. Two runs
 * per proxy. The warm-up is counted from start-up on. The steady state is counted in a
 * run that warms up with callgrind's instrumentation off and switches it on for the
 * counted calls only: instrumented from the start, the same build's steady-state count
 * moved ±10% between runs (V8 tiers code up on background threads, and valgrind's pace
 * shifts when that happens); switched on for the window, it repeats within 1%
 * (docs/PERFORMANCE.md, "Sixth pass"). Settles what interleaved CPU rounds on a loaded
 * machine cannot.
 */
export async function benchProxyInstructions(upstream: string, log: (line: string) => void, byFunction = false): Promise<Record<string, ProxyInstructions>> {
  const out: Record<string, ProxyInstructions> = {};
  for (const [name, kind] of [
    ["pass-through proxy", "passthrough"],
    ["parsing proxy", "parsing"],
    ["serve", "serve"],
  ] as const) {
    out[name] = await proxyInstructions(upstream, kind, byFunction);
  }
  const floor = out["pass-through proxy"];
  for (const [name, { warmUp, steady }] of Object.entries(out)) {
    log(
      `  ${name.padEnd(20)} ${Math.round(steady).toLocaleString("en")} instructions per proxied call in steady state (${(steady / floor.steady).toFixed(2)}× the pass-through); ${Math.round(warmUp).toLocaleString("en")} over the first ${PROXY_WARM_CALLS} calls (${(warmUp / floor.warmUp).toFixed(2)}×)`,
    );
  }
  const [serve, parsing] = [out.serve.functions, out["parsing proxy"].functions];
  if (serve && parsing) {
    // The parsing proxy is the like-for-like reference: undici both ways, the body parsed and re-serialized.
    log(`  where serve's steady-state instructions differ from the parsing proxy's, by function (node ${PERF_MAP_FLAGS.join(" ")}, which names compiled JavaScript):`);
    logFunctionDiff(serve, parsing, ["serve", "parsing"], 30, log);
  }
  return out;
}

async function proxyInstructions(upstream: string, kind: "serve" | "passthrough" | "parsing", byFunction: boolean): Promise<ProxyInstructions> {
  const steady = await countedRun(upstream, kind, "steady", byFunction);
  return { warmUp: (await countedRun(upstream, kind, "warm-up")).total / PROXY_WARM_CALLS, steady: steady.total / PROXY_CALLS, functions: steady.functions };
}

/**
 * One proxy under callgrind: the instructions of its first PROXY_WARM_CALLS calls
 * (`warm-up`), or of the PROXY_CALLS after them (`steady`); with `byFunction`, the
 * process runs with PERF_MAP_FLAGS and the window's count is also split by function.
 */
async function countedRun(upstream: string, kind: "serve" | "passthrough" | "parsing", window: "warm-up" | "steady", byFunction = false): Promise<{ total: number; functions?: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), "cp-bench-callgrind-"));
  const file = join(dir, "callgrind.out");
  const script = fileURLToPath(new URL("./proxy-host.js", import.meta.url));
  const steady = window === "steady";
  const valgrind = ["valgrind", "-q", "--tool=callgrind", `--callgrind-out-file=${file}`, ...(steady ? ["--instr-atstart=no"] : [])];
  const host = await startChildHost(script, [kind, upstream], valgrind, byFunction ? PERF_MAP_FLAGS : []);
  const control = (...args: string[]) => execFileSync("callgrind_control", [...args, String(host.pid)], { stdio: "ignore" });
  try {
    const call = clients[FLOOR](`${host.url}/v1`, kind === "serve" ? LOCAL_KEY : KEY);
    // Each dump starts a new part with its own count (callgrind.out.1, .2, …); the part
    // after the first dump is the window.
    if (!steady) control("--dump");
    for (let i = 0; i < PROXY_WARM_CALLS; i++) await call();
    if (steady) {
      control("--dump");
      control("--instr=on");
      for (let i = 0; i < PROXY_CALLS; i++) await call();
    }
    control("--dump");
  } finally {
    // SIGTERM: the host exits in order, and callgrind writes the last part.
    host.stop();
    await host.exited;
  }
  try {
    const totals = /^totals: (\d+)/m.exec(readFileSync(`${file}.2`, "utf8"));
    if (!totals) throw new Error(`callgrind wrote no totals for the ${kind} proxy (${window})`);
    const root = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
    return { total: Number(totals[1]), functions: byFunction ? selfByFunction(`${file}.2`, host.pid, PROXY_CALLS, root) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
