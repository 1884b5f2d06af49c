// Load through `serve` (a real child process, the emulator upstream): every streamed
// response completes, and the server's memory after the load stays within 1.2× of
// its memory after a warm-up: its RSS, and the heap it keeps after a full collection.
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
  rssRatio?: number;
  heapRatio?: number;
}

const GROWTH_LIMIT = 1.2;

/**
 * `checkMemory`: compare `serve`'s memory after the load with its memory after the
 * warm-up. The heap grows to its working size (young generation, old space) over
 * thousands of requests at full concurrency, and RSS follows wherever the collector
 * happens to be, so the warm-up must be as long as the load, at the same concurrency,
 * for the RSS bound to mean something. The heap kept after a full collection is the
 * leak detector that does not depend on that timing.
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
      rssRatio: ratio("rss"),
      heapRatio: ratio("heapUsedAfterGc"),
    };
    assert.equal(errors, 0, "every request completed");
    const { heapRatio, rssRatio } = figures;
    if (heapRatio !== undefined) assert.ok(heapRatio <= GROWTH_LIMIT, `the heap kept after a full collection grew ${heapRatio}× (${afterWarmup?.heapUsedAfterGc} -> ${afterLoad?.heapUsedAfterGc} MB)`);
    // RSS is read from /proc: undefined (0) elsewhere, and then not checked.
    if (rssRatio !== undefined) assert.ok(rssRatio <= GROWTH_LIMIT, `RSS grew ${rssRatio}× (${afterWarmup?.rss} -> ${afterLoad?.rss} MB)`);
    return figures;
  } finally {
    agent.destroy();
    await serve.stop();
    await emu.close();
    await rm(home, { recursive: true, force: true });
  }
}
