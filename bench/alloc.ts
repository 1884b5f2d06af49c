// Bytes allocated per call, which machine load does not change: `npm run bench --
// --alloc` runs each client in a fresh child, warms it (3000 calls), then makes 2000
// calls under V8's sampling heap profiler with objects the young- and old-generation
// collectors freed kept in the profile, so the sum is what the calls allocated, not
// what survived. Also prints where ours allocates, by the function that allocated.
//
// Run as a script (`node alloc.js UPSTREAM CLIENT`) it prints the figures as JSON.
import { spawnSync } from "node:child_process";
import { Session } from "node:inspector/promises";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { clients, FLOOR } from "./clients.js";

const WARM_CALLS = 3000;
const CALLS = 2000;
/** Bytes between samples: small enough that a 20-event call is sampled a few hundred times. */
const SAMPLING_INTERVAL = 128;

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

export interface AllocFigures {
  bytesPerCall: number;
  /** Bytes per call by allocating function (name and file:line), largest first. */
  top: [string, number][];
}

async function measure(upstream: string, client: string, root: string): Promise<AllocFigures> {
  const call = clients[client](`${upstream}/v1`);
  for (let i = 0; i < WARM_CALLS; i++) await call();
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: SAMPLING_INTERVAL,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let i = 0; i < CALLS; i++) await call();
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as { profile: { head: SamplingNode } };
  session.disconnect();
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: SamplingNode) => {
    if (node.selfSize > 0) {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url.startsWith("file://") ? relative(root, fileURLToPath(url)) : url;
      const site = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const top = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([site, bytes]) => [site, bytes / CALLS] as [string, number]);
  return { bytesPerCall: total / CALLS, top };
}

export function benchAlloc(upstream: string, root: string, log: (line: string) => void, clientNames = ["codex-provider", "codex-provider (node:http)", FLOOR]): Record<string, AllocFigures> {
  const out: Record<string, AllocFigures> = {};
  for (const client of clientNames) {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), upstream, client, root], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 22 });
    if (run.status !== 0) throw new Error(`the allocation run for ${client} exited ${run.status}`);
    out[client] = JSON.parse(run.stdout.trim().split("\n").pop()!) as AllocFigures;
  }
  for (const [client, figures] of Object.entries(out)) {
    log(`  ${client.padEnd(36)} ${(figures.bytesPerCall / 1024).toFixed(1)} KB allocated per call   ${(figures.bytesPerCall / out[FLOOR].bytesPerCall).toFixed(2)}× the floor`);
  }
  for (const [client, figures] of Object.entries(out)) {
    log(`\n  ${client}, by allocating function (bytes per call):`);
    for (const [site, bytes] of figures.top.slice(0, 15)) log(`    ${Math.round(bytes).toString().padStart(6)}  ${site}`);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await measure(process.argv[2], process.argv[3], process.argv[4] ?? process.cwd());
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
