// Timing helpers shared by the bench sections: wall time and this process's CPU time
// (process.cpuUsage, user + system) per call, medians and percentiles.

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: number[], p: number): number {
  return nearestRank([...values].sort((a, b) => a - b), p);
}

/** The nearest-rank `p`th percentile (p in 0..100) of values already sorted ascending. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface CallCost {
  wallMs: number;
  cpuMs: number;
}

/** Mean wall and CPU milliseconds per call over `iterations` sequential calls. */
export async function timeCalls(call: () => Promise<unknown>, iterations: number): Promise<CallCost> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await call();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs: wall / iterations, cpuMs: (used.user + used.system) / 1000 / iterations };
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * The order of `n` clients in round `round` (0-based): a Williams design, in which every
 * client comes right after every other equally often over `n` rounds (`2n` when `n` is
 * odd). A plain rotation keeps each client's predecessor fixed: one client then always
 * paid for collecting the garbage of the heavy one before it.
 */
export function balancedOrder(n: number, round: number): number[] {
  const first = Array.from({ length: n }, (_, j) => (j === 0 ? 0 : j % 2 ? (j + 1) / 2 : n - j / 2));
  const order = first.map((client) => (client + round) % n);
  return n % 2 === 1 && Math.floor(round / n) % 2 === 1 ? order.reverse() : order;
}

export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** `+1.234` or `-1.234`. */
export const signed = (ms: number, digits = 3) => `${ms >= 0 ? "+" : ""}${ms.toFixed(digits)}`;

/**
 * A 95% bootstrap interval for `statistic` over `blocks` independent blocks of samples:
 * the blocks are resampled with replacement and the statistic recomputed, and the 2.5th
 * and 97.5th percentiles of those values are the interval. The generator is seeded, so
 * the same data gives the same interval.
 */
export function bootstrapInterval(blocks: number, statistic: (blockIndices: number[]) => number, resamples = 400): [number, number] {
  let seed = 0x9e3779b9;
  const random = () => {
    // xorshift32: enough to pick block indices.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  const values = Array.from({ length: resamples }, () => statistic(Array.from({ length: blocks }, () => Math.floor(random() * blocks))));
  return [percentile(values, 2.5), percentile(values, 97.5)];
}
