// One round of the refresh bench: many calls at once, each one timed (used in process
// and by refresh-worker.ts in each child process).
import type { Provider } from "#src/index.js";
import { since } from "./measure.js";

/** `calls` concurrent non-streaming calls; the latency of each (ms) and how many failed. */
export async function concurrentCalls(provider: Provider, calls: number): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: calls }, async (_, i) => {
      const start = process.hrtime.bigint();
      try {
        await provider.complete({ input: `refresh bench ${i}` });
        latencies.push(since(start));
      } catch {
        failed++;
      }
    }),
  );
  return { latencies, failed };
}
