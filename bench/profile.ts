// Where the per-call time goes: `npm run bench -- --profile` runs 10 000 sequential
// calls (20 deltas each) in a child under `node --cpu-prof`, for codex-provider over each
// HTTP client and for the floor, then sums each profile's self time per function and
// prints the top entries. The raw profile is
// kept in .bench-results/profile/ for Chrome DevTools or speedscope.
//
// Run as a script (`node profile.js UPSTREAM CALLS [CLIENT]`) it just makes the calls
// (with CLIENT, one of bench/clients.ts; default codex-provider).
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { clients } from "./clients.js";

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

interface ProfileEntry {
  fn: string;
  selfMs: number;
  percent: number;
}

/**
 * The profile's nodes whose samples are not the program's work: idle time, and the
 * profiler's own start (a profile taken through node:inspector begins inside
 * `Profiler.start`, whose native `dispatch` took ~80 ms: ~400 µs a call over 200 calls).
 */
function uncounted(profile: CpuProfile): Set<number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const out = new Set<number>();
  const visit = (id: number, inProfiler: boolean): void => {
    const node = byId.get(id)!;
    const profiler = inProfiler || node.callFrame.url === "node:inspector";
    if (profiler || node.callFrame.functionName === "(idle)") out.add(id);
    for (const child of node.children ?? []) visit(child, profiler);
  };
  visit(profile.nodes[0].id, false);
  return out;
}

/** Self time per function (name and location), largest first; idle time and the profiler's own left out. */
function selfTimes(profile: CpuProfile, root: string, skip: Set<number>): ProfileEntry[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    if (skip.has(id)) return;
    const frame = byNode.get(id)!;
    const where = frame.url ? ` ${frame.url.startsWith("file://") ? relative(root, fileURLToPath(frame.url)) : frame.url}:${frame.lineNumber + 1}` : "";
    const key = `${frame.functionName || "(anonymous)"}${where}`;
    const us = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  });
  return [...self]
    .map(([fn, us]) => ({ fn, selfMs: us / 1000, percent: (100 * us) / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/** The part of the stack a profile entry belongs to, for a per-area total. */
function area(fn: string): string {
  // dist-test/bench: a reference proxy's own code (bench/proxy.ts).
  const where = / (dist\/[a-z-]+|dist-test\/bench|node:[a-z_]+|node_modules\/[^/]+)/.exec(fn)?.[1];
  if (where) return where.startsWith("node:") ? "node internals (JS)" : where;
  if (fn.startsWith("(garbage collector)")) return "garbage collector";
  return "native (syscalls, builtins, V8)";
}

const SOCKET_WRITES = new Set(["writev", "writeUtf8String", "writeBuffer", "writeLatin1String"]);

/**
 * Time by the layer that caused it: the nearest frame of our own code (dist/<layer>),
 * of node's HTTP client or server, or of undici on the sample's stack, so node internals and syscalls
 * count for whoever called them; socket writes are kept apart (their share is mostly
 * the kernel and waiting for a core).
 */
function byCaller(profile: CpuProfile, skip: Set<number>): Map<string, number> {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const layerOf = (id: number): string => {
    const leaf = byNode.get(id)!.callFrame.functionName;
    if (leaf === "(garbage collector)" || leaf === "(program)") return leaf;
    const prefix = SOCKET_WRITES.has(leaf) ? "socket writes from " : "";
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = byNode.get(at)!.callFrame.url;
      const own = /\/dist\/([a-z-]+)\//.exec(url)?.[1];
      if (own) return prefix + own;
      if (/_http_client|_http_agent/.test(url)) return `${prefix}node http client`;
      if (url.includes("/node_modules/undici/")) return `${prefix}undici client`;
      if (/_http_server/.test(url)) return `${prefix}node http server`;
    }
    return `${prefix}other (start-up, timers, streams)`;
  };
  const shares = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    if (skip.has(id)) return;
    const us = profile.timeDeltas[i] ?? 0;
    const layer = layerOf(id);
    shares.set(layer, (shares.get(layer) ?? 0) + us);
    total += us;
  });
  for (const [layer, us] of shares) shares.set(layer, (100 * us) / total);
  return shares;
}

/** Profiles `calls` sequential calls of `client` (one of bench/clients.ts) in a child; the profile lands in .bench-results/profile/<client>/. */
export function benchProfile(upstream: string, root: string, log: (line: string) => void, calls: number, client: string): ProfileEntry[] {
  const dir = join(root, ".bench-results/profile", client.replace(/[^a-z0-9.+-]+/gi, "_"));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const run = spawnSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, fileURLToPath(import.meta.url), upstream, String(calls), client], { stdio: "inherit" });
  if (run.status !== 0) throw new Error(`profiled run exited ${run.status}`);
  return summariseProfile(join(dir, readdirSync(dir).find((name) => name.endsWith(".cpuprofile"))!), root, log, calls);
}

/** Logs the top self-time functions and the per-area totals of the profile in `file`. */
export function summariseProfile(file: string, root: string, log: (line: string) => void, calls: number): ProfileEntry[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const skip = uncounted(profile);
  const entries = selfTimes(profile, root, skip);
  const busy = entries.reduce((ms, e) => ms + e.selfMs, 0);
  log(`  ${calls} calls, ${busy.toFixed(0)} ms busy (${((busy / calls) * 1000).toFixed(0)} µs per call); top self time:`);
  for (const e of entries.slice(0, 20)) log(`    ${e.percent.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(6)} ms  ${e.fn}`);
  const areas = new Map<string, number>();
  for (const e of entries) areas.set(area(e.fn), (areas.get(area(e.fn)) ?? 0) + e.percent);
  log(`  by area: ${[...areas].sort((a, b) => b[1] - a[1]).map(([name, pct]) => `${name} ${pct.toFixed(1)}%`).join(", ")}`);
  const callers = [...byCaller(profile, skip)].sort((a, b) => b[1] - a[1]);
  log(`  by caller: ${callers.map(([name, pct]) => `${name} ${pct.toFixed(1)}%`).join(", ")}`);
  log(`  profile: ${relative(root, file)}`);
  return entries.slice(0, 40);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const call = clients[process.argv[4] ?? "codex-provider"](`${process.argv[2]}/v1`);
  for (let i = 0, n = Number(process.argv[3]); i < n; i++) await call();
}
