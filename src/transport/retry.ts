// Backoff policy (docs/protocol.md#retry recommendation): bounded attempts, exponential delay
// with jitter, server-requested delays honoured when reasonable, a total time budget,
// and an abortable sleep. The clock is injectable so tests need not wait.
import { ProviderError } from "../errors.js";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Fractional jitter: 0.2 means ±20 %. */
  jitter: number;
  /** A server delay above this is not waited for; the error is surfaced instead. */
  maxRetryAfterMs: number;
  /** Total time, across attempts, after which no new attempt starts. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  jitter: 0.2,
  maxRetryAfterMs: 60_000,
  budgetMs: 120_000,
};

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new ProviderError("aborted", "The request was aborted."));
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new ProviderError("aborted", "The request was aborted."));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/** Delay before retry number `retry` (0-based), or undefined when we must not retry. */
export function backoffDelay(
  policy: RetryPolicy,
  retry: number,
  error: ProviderError,
  clock: Pick<Clock, "random"> = systemClock,
): number | undefined {
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= policy.maxRetryAfterMs ? error.retryAfterMs : undefined;
  }
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const factor = 1 + policy.jitter * (clock.random() * 2 - 1);
  return Math.round(exponential * factor);
}

/** Decides, for one failed attempt, whether and how long to wait before the next. */
export function nextDelay(
  policy: RetryPolicy,
  retriesSoFar: number,
  startedAt: number,
  error: ProviderError,
  clock: Clock,
): number | undefined {
  if (!error.retryable || retriesSoFar >= policy.maxRetries) return undefined;
  const delay = backoffDelay(policy, retriesSoFar, error, clock);
  if (delay === undefined) return undefined;
  if (clock.now() + delay - startedAt > policy.budgetMs) return undefined;
  return delay;
}
