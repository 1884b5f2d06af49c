// Load through `serve` (a real child process, the emulator upstream): every streamed
// response completes, and the server's memory after the load stays within 1.2× of
// its memory after a warm-up: its peak RSS, and the heap it keeps after a full collection.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startEmulator } from "#src/emulator/index.js";
import { post, runPool } from "./load-client.js";
import { startServe } from "./serve-process.js";

/** `serve`'s memory at one moment, in MB. */
interface MemoryReading {
  /** RSS as found, before any forced collection. */
  rss: number;
  /** Highest RSS so far. */
  peakRss: number;
  /** JavaScript heap in use after a full garbage collection: what the server keeps. */
  heapUsedAfterGc: number;
  /** RSS just after that collection. */
  rssAfterGc: number;
}

export interface ServeLoadFigures {
  requests: number;
  warmup: number;
  concurrency: number;
  errors: number;
  loadSeconds: number;
  requestsPerSecond: number;
  afterWarmupMB?: MemoryReading;
  afterLoadMB?: MemoryReading;
  /** Highest RSS after the load / highest after the warm-up: checked. */
  peakRssRatio?: number;
  /** Heap kept after a full collection, after the load / after the warm-up: checked. */
  heapRatio?: number;
  /** RSS as found, after the load / after the warm-up: reported only (see below). */
  rssRatio?: number;
}

const GROWTH_LIMIT = 1.2;

/**
 * `checkMemory`: compare `serve`'s memory after the load with its memory after the
 * warm-up, which is as long as the load and at the same concurrency, so the heap has
 * reached its working size (young generation, old space) before the first reading.
 * Two figures are held to 1.2×: the highest RSS so far, and the heap kept after a full
 * collection. RSS as found at one instant is reported but not held to it: it moves by
 * ±15 % with where the collector happens to be (V8's heap swings between about 50 and
 * 95 MB while it keeps 15 MB), so one reading after each phase says more about timing
 * than about growth. A leak raises both checked figures: retained objects raise the
 * heap after collection, and anything retained raises the peak of the next phase.
 */
export async function serveLoadScenario(options: { requests: number; concurrency: number; warmup: number; checkMemory: boolean }): Promise<ServeLoadFigures> {
  const emu = await startEmulator();
  const home = await mkdtemp(join(tmpdir(), "cp-stress-serve-"));
  const env = { PATH: process.env.PATH ?? "", HOME: home, CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey, NO_COLOR: "1" };
  const serve = await startServe(env, { memoryProbe: options.checkMemory });
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    const url = `${serve.baseUrl}/responses`;
    const one = async (i: number) => {
      const reply = await post(url, serve.key, { model: "gpt-5.5", input: `load ${i}`, stream: true }, agent);
      return reply.status === 200 && reply.body.includes("response.completed");
    };
    const mb = (bytes: number | undefined) => Math.round(((bytes ?? 0) / 1024 / 1024) * 10) / 10;
    // Taken alike after each phase: the allocator settles, then RSS as found, then a
    // full collection and what is left.
    const reading = async (): Promise<MemoryReading | undefined> => {
      if (!options.checkMemory) return undefined;
      await sleep(500);
      const rss = serve.rss();
      const peakRss = serve.peakRss();
      const usage = await serve.memoryAfterGc();
      return { rss: mb(rss), peakRss: mb(peakRss), heapUsedAfterGc: mb(usage.heapUsed), rssAfterGc: mb(serve.rss()) };
    };
    const warmupErrors = await runPool(options.warmup, options.concurrency, one);
    const afterWarmup = await reading();
    const started = performance.now();
    const errors = warmupErrors + (await runPool(options.requests, options.concurrency, one));
    const seconds = (performance.now() - started) / 1000;
    const afterLoad = await reading();
    assert.ok(serve.alive(), "serve is still running");
    const ratio = (key: keyof MemoryReading) => (afterWarmup && afterLoad && afterWarmup[key] > 0 ? Math.round((afterLoad[key] / afterWarmup[key]) * 100) / 100 : undefined);
    const figures: ServeLoadFigures = {
      requests: options.requests,
      warmup: options.warmup,
      concurrency: options.concurrency,
      errors,
      loadSeconds: Math.round(seconds * 10) / 10,
      requestsPerSecond: Math.round(options.requests / seconds),
      afterWarmupMB: afterWarmup,
      afterLoadMB: afterLoad,
      peakRssRatio: ratio("peakRss"),
      heapRatio: ratio("heapUsedAfterGc"),
      rssRatio: ratio("rss"),
    };
    assert.equal(errors, 0, "every request completed");
    const { heapRatio, peakRssRatio } = figures;
    if (heapRatio !== undefined) assert.ok(heapRatio <= GROWTH_LIMIT, `the heap kept after a full collection grew ${heapRatio}× (${afterWarmup?.heapUsedAfterGc} -> ${afterLoad?.heapUsedAfterGc} MB)`);
    // RSS is read from /proc: undefined (0) elsewhere, and then not checked.
    if (peakRssRatio !== undefined) assert.ok(peakRssRatio <= GROWTH_LIMIT, `peak RSS grew ${peakRssRatio}× (${afterWarmup?.peakRss} -> ${afterLoad?.peakRss} MB)`);
    return figures;
  } finally {
    agent.destroy();
    await serve.stop();
    await emu.close();
    await rm(home, { recursive: true, force: true });
  }
}
