// Memory per open (idle) stream: `node --expose-gc memory.js UPSTREAM CLIENT OPEN` opens
// OPEN concurrent streams to the upstream's /hold route (the first event, then silence)
// over one HTTP client (node or undici) and prints RSS and heap growth per stream as
// JSON. A fresh process per client, so one client's heap is not the other's baseline.
import { fileURLToPath } from "node:url";
import { createProvider } from "#src/index.js";
import { KEY } from "./keys.js";

export interface MemoryFigures {
  rssKb: number;
  heapKb: number;
}

async function measure(upstream: string, httpClient: "node" | "undici", open: number): Promise<MemoryFigures> {
  const provider = createProvider({ provider: "openai", apiKey: KEY, baseUrl: `${upstream}/hold`, env: {}, idleTimeoutMs: 120_000, httpClient });
  // One finished call first, so the client's modules are loaded before the baseline.
  await createProvider({ provider: "openai", apiKey: KEY, baseUrl: `${upstream}/v1`, env: {}, httpClient }).complete({ input: "hi" });
  global.gc?.();
  const before = process.memoryUsage();
  const controllers: AbortController[] = [];
  const pending: Promise<AsyncIterator<unknown>>[] = [];
  for (let i = 0; i < open; i++) {
    const controller = new AbortController();
    controllers.push(controller);
    const iterator = provider.stream({ input: "hi" }, { signal: controller.signal })[Symbol.asyncIterator]();
    pending.push(iterator.next().then(() => iterator));
  }
  const iterators = await Promise.all(pending);
  global.gc?.();
  const after = process.memoryUsage();
  for (const c of controllers) c.abort();
  await Promise.allSettled(iterators.map((it) => it.next()));
  return {
    rssKb: (after.rss - before.rss) / open / 1024,
    heapKb: (after.heapUsed + after.external - before.heapUsed - before.external) / open / 1024,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [upstream, client, open] = process.argv.slice(2);
  console.log(JSON.stringify(await measure(upstream, client as "node" | "undici", Number(open))));
  process.exit(0);
}
