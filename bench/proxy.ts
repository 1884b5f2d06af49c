// The local server's cost: one client (undici.request + eventsource-parser, the floor)
// straight to the upstream, through `serve` (createServer), through a minimal
// node:http pass-through proxy (the floor for any proxy) and through a minimal parsing
// proxy (the least a proxy that owns the request does: a reference, not a floor), at 1
// and 64 concurrent streams, each after a warm-up to steady state. Each proxy runs in
// its own process, as does the upstream, and reports the CPU time it used, so CPU ms
// per proxied call (the figure a loaded machine disturbs least) stands next to the
// latencies. `--profile-serve` instead profiles each proxy's process through one load
// (64 streams, or `--streams=N`) after its warm-up and summarises where its time goes.
//
// Each proxy runs from bench/proxy-host.ts.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { floorCall } from "./clients.js";
import { KEY, LOCAL_KEY } from "./keys.js";
import { balancedOrder, bootstrapInterval, nearestRank, percentile, signed, since } from "./measure.js";
import { summariseProfile } from "./profile.js";
import { startChildHost, type ChildHost, type GcSummary } from "./upstream.js";

interface LoadFigures {
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
  /** CPU ms the proxy process used per call (not for `direct`). */
  proxyCpuMs?: number;
  /** The same over the warm-up calls before the measured blocks. */
  warmUpCpuMs?: number;
  /** The proxy's garbage collector over the measured blocks. */
  gc?: GcSummary;
  /** Each block's p50: the spread from block to block is the bench's own noise. */
  blockP50Ms: number[];
  /** For `serve` and the parsing proxy: each ratio to the pass-through, with its 95% bootstrap interval over the blocks. */
  vsPassThrough?: { addedP50: Interval; callsPerSecond: Interval; cpuPerCall: Interval };
}

/** A figure and its 95% interval. */
interface Interval {
  value: number;
  low: number;
  high: number;
}

type Call = () => Promise<number>;

/** `total` calls from `concurrency` workers, each call timed. */
async function load(call: Call, concurrency: number, total: number): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const began = process.hrtime.bigint();
        if ((await call()) !== 20) throw new Error("a proxied call lost deltas");
        latencies.push(since(began));
      }
    }),
  );
  return { latencies, wallMs: since(start) };
}

/**
 * Calls each target gets before the measured blocks, per concurrency. `serve`'s JIT is
 * still compiling after 4000 calls (`--trace-opt`: ~80 functions optimized in its calls
 * 4000–6000, under 10 per 4000 calls after 8000).
 */
const WARM_CALLS = 8000;
/** Warm-up calls per target per turn: at 1 stream a turn of all four targets takes ~1 s. */
const WARM_TURN_CALLS = 500;

/**
 * The measured calls, in blocks: each block runs every target once, back to back, so
 * drift on a shared host (its load moves within seconds) falls on all targets alike, in
 * balanced orders (each target right after each other one equally often: a target's
 * predecessor leaves it the client's garbage and a busier core). Short blocks at 1
 * stream; at 64, long enough that the ramp at a block's ends (fewer than 64 calls in
 * flight) stays a small part. Counts are whole numbers of orders of the four targets.
 */
const blocksAt = (concurrency: number, quick: boolean) => (quick ? { blocks: 1, calls: 50 * (concurrency === 1 ? 1 : 4) } : concurrency === 1 ? { blocks: 48, calls: 100 } : { blocks: 20, calls: 1000 });

/** The `p`th percentile of the latencies of the blocks at `indices` (a block may repeat). */
function pooledPercentile(blocks: number[][], indices: number[], p: number): number {
  let size = 0;
  for (const i of indices) size += blocks[i].length;
  const pooled = new Float64Array(size);
  let at = 0;
  for (const i of indices) {
    pooled.set(blocks[i], at);
    at += blocks[i].length;
  }
  return nearestRank(pooled.sort(), p);
}

const sumOver = (values: number[], indices: number[]) => indices.reduce((sum, i) => sum + values[i], 0);

interface Samples {
  /** Latencies, one array per block. */
  latencies: number[][];
  wallMs: number[];
  /** The proxy's CPU ms per block. */
  cpuMs: number[];
}

/** `target` against the pass-through, each figure with its bootstrap interval over the blocks. */
function versusPassThrough(samples: Map<string, Samples>, target: string, blocks: number): NonNullable<LoadFigures["vsPassThrough"]> {
  const direct = samples.get("direct")!;
  const floor = samples.get("pass-through proxy")!;
  const own = samples.get(target)!;
  const added = (s: Samples, indices: number[]) => pooledPercentile(s.latencies, indices, 50) - pooledPercentile(direct.latencies, indices, 50);
  const statistics = {
    addedP50: (indices: number[]) => added(own, indices) / added(floor, indices),
    // Calls per second over the same calls: the inverse of the wall times' ratio.
    callsPerSecond: (indices: number[]) => sumOver(floor.wallMs, indices) / sumOver(own.wallMs, indices),
    cpuPerCall: (indices: number[]) => sumOver(own.cpuMs, indices) / sumOver(floor.cpuMs, indices),
  };
  const all = Array.from({ length: blocks }, (_, i) => i);
  const interval = (statistic: (indices: number[]) => number): Interval => {
    const [low, high] = blocks > 1 ? bootstrapInterval(blocks, statistic) : [Number.NaN, Number.NaN];
    return { value: statistic(all), low, high };
  };
  return { addedP50: interval(statistics.addedP50), callsPerSecond: interval(statistics.callsPerSecond), cpuPerCall: interval(statistics.cpuPerCall) };
}

const shown = ({ value, low, high }: Interval) => (Number.isNaN(low) ? `${value.toFixed(2)}×` : `${value.toFixed(2)}× [${low.toFixed(2)}–${high.toFixed(2)}]`);

/** The four targets, each client sending `requestBody` (the bench's small one by default). */
async function startProxies(upstream: string, requestBody?: string) {
  const script = fileURLToPath(new URL("./proxy-host.js", import.meta.url));
  const [serve, floor, parsing] = await Promise.all([
    startChildHost(script, ["serve", upstream]),
    startChildHost(script, ["passthrough", upstream]),
    startChildHost(script, ["parsing", upstream]),
  ]);
  const targets: Record<"direct" | "pass-through proxy" | "parsing proxy" | "serve", { call: Call; host?: ChildHost }> = {
    direct: { call: floorCall(`${upstream}/v1`, KEY, requestBody) },
    "pass-through proxy": { call: floorCall(`${floor.url}/v1`, KEY, requestBody), host: floor },
    "parsing proxy": { call: floorCall(`${parsing.url}/v1`, KEY, requestBody), host: parsing },
    serve: { call: floorCall(`${serve.url}/v1`, LOCAL_KEY, requestBody), host: serve },
  };
  return { targets, stop: () => [serve, floor, parsing].forEach((child) => child.stop()) };
}

export interface ProxyLoad {
  /** Concurrent streams, one cell each (default 1 and 64). */
  concurrencies?: number[];
  /** The request body every client sends (default: the bench's small one). */
  requestBody?: string;
  /**
   * Warm-up calls per target per turn (default WARM_TURN_CALLS): fewer when calls are
   * slow, so that a turn of all four targets still takes about a second.
   */
  warmTurnCalls?: number;
}

export async function benchProxy(upstream: string, log: (line: string) => void, quick: boolean, { concurrencies = [1, 64], requestBody, warmTurnCalls = WARM_TURN_CALLS }: ProxyLoad = {}): Promise<Record<string, Record<string, LoadFigures>>> {
  const { targets, stop } = await startProxies(upstream, requestBody);
  try {
    const out: Record<string, Record<string, LoadFigures>> = {};
    for (const concurrency of concurrencies) {
      const { blocks, calls } = blocksAt(concurrency, quick);
      // Warmed to steady state first: V8 keeps compiling a server's once-per-request code for
      // thousands of requests. What the warm-up cost each proxy is reported on its own.
      const warmCalls = quick ? 50 : WARM_CALLS;
      const warmCpu: Record<string, number> = {};
      // In short turns, so no target sits idle for seconds before it is measured: a server
      // whose keep-alive connections close while it waits (`serve`'s after 5 s idle) has
      // node:http's stream code deoptimized, and runs ~1.3× the CPU per call for the next
      // few thousand calls (docs/PERFORMANCE.md, "Twelfth pass").
      const warmTurn = Math.min(warmTurnCalls, warmCalls);
      for (let done = 0; done < warmCalls; done += warmTurn) {
        for (const [name, { call, host }] of Object.entries(targets)) {
          const cpuBefore = await host?.cpuMs();
          await load(call, concurrency, warmTurn);
          if (host) warmCpu[name] = (warmCpu[name] ?? 0) + ((await host.cpuMs()) - cpuBefore!) / warmCalls;
        }
      }
      const hosts = Object.entries(targets).flatMap(([name, { host }]) => (host ? [[name, host] as const] : []));
      await Promise.all(hosts.map(([, host]) => host.watchGc()));
      const names = Object.keys(targets) as (keyof typeof targets)[];
      const samples = new Map<string, Samples>(names.map((name) => [name, { latencies: [], wallMs: [], cpuMs: [] }]));
      for (let block = 0; block < blocks; block++) {
        for (const index of balancedOrder(names.length, block)) {
          const name = names[index];
          const { call, host } = targets[name];
          const cpuBefore = await host?.cpuMs();
          const { latencies, wallMs } = await load(call, concurrency, calls);
          const sample = samples.get(name)!;
          sample.cpuMs.push(host ? (await host.cpuMs()) - cpuBefore! : 0);
          sample.latencies.push(latencies);
          sample.wallMs.push(wallMs);
        }
      }
      const all = Array.from({ length: blocks }, (_, i) => i);
      const total = blocks * calls;
      const figures: Record<string, LoadFigures> = {};
      for (const [name, sample] of samples) {
        figures[name] = {
          p50Ms: pooledPercentile(sample.latencies, all, 50),
          p99Ms: pooledPercentile(sample.latencies, all, 99),
          callsPerSecond: total / (sumOver(sample.wallMs, all) / 1000),
          proxyCpuMs: name === "direct" ? undefined : sumOver(sample.cpuMs, all) / total,
          blockP50Ms: sample.latencies.map((latencies) => percentile(latencies, 50)),
          vsPassThrough: name === "serve" || name === "parsing proxy" ? versusPassThrough(samples, name, blocks) : undefined,
        };
      }
      for (const [name, host] of hosts) figures[name].gc = await host.gcSummary();
      out[`concurrency${concurrency}`] = figures;
      log(`    ${concurrency} concurrent stream${concurrency === 1 ? "" : "s"} (${blocks} block${blocks === 1 ? "" : "s"} of ${calls} calls per target, in balanced orders, after ${warmCalls} warm-up calls each, in turns of ${warmTurn}; [95% bootstrap interval over the blocks]):`);
      const direct = figures.direct;
      const floorFigures = figures["pass-through proxy"];
      const addedFloorP99 = floorFigures.p99Ms - direct.p99Ms;
      for (const [name, f] of Object.entries(figures)) {
        const added = name === "direct" ? "" : `   added p50 ${signed(f.p50Ms - direct.p50Ms)} ms, p99 ${signed(f.p99Ms - direct.p99Ms)} ms, proxy cpu ${f.proxyCpuMs!.toFixed(3)} ms/call`;
        const vs = f.vsPassThrough;
        const vsFloor = vs
          ? `   (${shown(vs.addedP50)} / ${((f.p99Ms - direct.p99Ms) / addedFloorP99).toFixed(2)}× the pass-through's added latency; ${shown(vs.callsPerSecond)} its throughput; ${shown(vs.cpuPerCall)} its CPU per call)`
          : "";
        log(`      ${name.padEnd(20)} p50 ${f.p50Ms.toFixed(3)} ms  p99 ${f.p99Ms.toFixed(3)} ms  ${Math.round(f.callsPerSecond).toLocaleString("en")} calls/s${added}${vsFloor}`);
      }
      const warmFloor = warmCpu["pass-through proxy"];
      log(`      warm-up: proxy cpu ${Object.entries(warmCpu).map(([name, ms]) => `${name} ${ms.toFixed(3)} ms/call`).join(", ")} (serve ${(warmCpu.serve / warmFloor).toFixed(2)}×)`);
      for (const [name, ms] of Object.entries(warmCpu)) figures[name].warmUpCpuMs = ms;
      const gcLine = hosts.map(([name]) => {
        const gc = figures[name].gc!;
        return `${name} ${((gc.scavenges / total) * 1000).toFixed(1)} scavenges per 1000 calls, ${gc.scavenges ? (gc.scavengeMs / gc.scavenges).toFixed(2) : "-"} ms each, ${(gc.survival * 100).toFixed(1)}% survived, ${gc.fullGcs} full`;
      });
      log(`      gc (measured blocks): ${gcLine.join("; ")}`);
    }
    return out;
  } finally {
    stop();
  }
}

/**
 * Where each proxy's time goes in steady state: each warmed up first (as in benchProxy), then
 * a CPU profile of its own process (node:inspector, started and stopped over the IPC
 * channel) over the same load at `concurrency` streams, one proxy after the other, so
 * start-up and the JIT's warm-up stay out of it and what `serve` spends beyond a pipe
 * shows side by side.
 */
export async function benchServeProfile(upstream: string, root: string, log: (line: string) => void, quick: boolean, concurrency: number): Promise<unknown> {
  const dir = join(root, ".bench-results/profile-serve");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { targets, stop } = await startProxies(upstream);
  const { blocks, calls } = blocksAt(concurrency, quick);
  const total = blocks * calls;
  const warmCalls = quick ? 50 : WARM_CALLS;
  const out: Record<string, unknown> = {};
  try {
    for (const name of ["serve", "pass-through proxy", "parsing proxy"] as const) {
      const { call, host } = targets[name];
      await load(call, concurrency, warmCalls);
      const file = join(dir, `${name.replace(/ /g, "-")}.cpuprofile`);
      await host!.profileStart();
      const cpuBefore = await host!.cpuMs();
      await load(call, concurrency, total);
      const cpuMs = (await host!.cpuMs()) - cpuBefore;
      await host!.profileStop(file);
      log(`  ${name}: ${total} calls at ${concurrency} concurrent stream${concurrency === 1 ? "" : "s"} after ${warmCalls} warm-up calls, ${cpuMs.toFixed(0)} ms of its CPU under the profiler (${((cpuMs / total) * 1000).toFixed(0)} µs per call)`);
      out[name] = summariseProfile(file, root, log, total);
    }
  } finally {
    stop();
  }
  return out;
}

