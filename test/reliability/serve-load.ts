// Load through `serve` (a real child process, the emulator upstream): every streamed
// response completes, and the server's memory after the load stays within 1.2× of
// its memory after a warm-up.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startEmulator } from "#src/emulator/index.js";
import { post, runPool } from "./load-client.js";
import { startServe } from "./serve-process.js";

export interface ServeLoadFigures {
  requests: number;
  concurrency: number;
  errors: number;
  loadSeconds: number;
  requestsPerSecond: number;
  rssAfterWarmupMB: number;
  rssAfterLoadMB: number;
  rssRatio: number;
}

const RSS_GROWTH_LIMIT = 1.2;

/**
 * `checkMemory`: the heap needs a few thousand requests at full concurrency to reach
 * its working size, so the RSS bound means something only after a long warm-up.
 */
export async function serveLoadScenario(options: { requests: number; concurrency: number; warmup: number; checkMemory: boolean }): Promise<ServeLoadFigures> {
  const emu = await startEmulator();
  const home = await mkdtemp(join(tmpdir(), "cp-stress-serve-"));
  const env = { PATH: process.env.PATH ?? "", HOME: home, CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey, NO_COLOR: "1" };
  const serve = await startServe(env);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    const url = `${serve.baseUrl}/responses`;
    const one = async (i: number) => {
      const reply = await post(url, serve.key, { model: "gpt-5.5", input: `load ${i}`, stream: true }, agent);
      return reply.status === 200 && reply.body.includes("response.completed");
    };
    const warmupErrors = await runPool(options.warmup, options.concurrency, one);
    // Let the allocator settle after each phase, so both readings are taken alike.
    await sleep(500);
    const rssAfterWarmup = serve.rss();
    const started = performance.now();
    const errors = warmupErrors + (await runPool(options.requests, options.concurrency, one));
    const seconds = (performance.now() - started) / 1000;
    await sleep(500);
    const rssAfterLoad = serve.rss();
    assert.ok(serve.alive(), "serve is still running");
    const mb = (bytes: number | undefined) => Math.round(((bytes ?? 0) / 1024 / 1024) * 10) / 10;
    const figures: ServeLoadFigures = {
      requests: options.requests,
      concurrency: options.concurrency,
      errors,
      loadSeconds: Math.round(seconds * 10) / 10,
      requestsPerSecond: Math.round(options.requests / seconds),
      rssAfterWarmupMB: mb(rssAfterWarmup),
      rssAfterLoadMB: mb(rssAfterLoad),
      rssRatio: rssAfterWarmup && rssAfterLoad ? Math.round((rssAfterLoad / rssAfterWarmup) * 100) / 100 : 0,
    };
    assert.equal(errors, 0, "every request completed");
    if (options.checkMemory && rssAfterWarmup !== undefined) assert.ok(figures.rssRatio <= RSS_GROWTH_LIMIT, `RSS grew ${figures.rssRatio}× (${figures.rssAfterWarmupMB} -> ${figures.rssAfterLoadMB} MB)`);
    return figures;
  } finally {
    agent.destroy();
    await serve.stop();
    await emu.close();
    await rm(home, { recursive: true, force: true });
  }
}
