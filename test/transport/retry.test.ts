import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_RETRY_POLICY, nextDelay, type Clock } from "#src/transport/retry.js";
import { ProviderError } from "#src/errors.js";

const retryable = new ProviderError("server_error", "boom", { retryable: true });

test("exponential backoff stays within jitter bounds and the cap", () => {
  const policy = DEFAULT_RETRY_POLICY;
  for (let retry = 0; retry < 10; retry++) {
    const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
    const low = backoffDelay(policy, retry, retryable, { random: () => 0 })!;
    const high = backoffDelay(policy, retry, retryable, { random: () => 0.999999 })!;
    assert.equal(low, Math.round(base * (1 - policy.jitter)));
    assert.ok(high <= Math.round(base * (1 + policy.jitter)) && high > base);
  }
});

test("server delay wins, but one above the maximum is not waited for", () => {
  const policy = DEFAULT_RETRY_POLICY;
  assert.equal(backoffDelay(policy, 3, new ProviderError("rate_limited", "x", { retryable: true, retryAfterMs: 1234 })), 1234);
  assert.equal(backoffDelay(policy, 0, new ProviderError("rate_limited", "x", { retryable: true, retryAfterMs: 61_000 })), undefined);
});

test("terminal errors, exhausted retries and an exhausted budget stop retrying", () => {
  let now = 0;
  const clock: Clock = { now: () => now, random: () => 0.5, sleep: async () => {} };
  const policy = { ...DEFAULT_RETRY_POLICY, budgetMs: 1000 };
  assert.equal(nextDelay(policy, 0, 0, new ProviderError("usage_limit_reached", "x"), clock), undefined);
  assert.equal(nextDelay(policy, policy.maxRetries, 0, retryable, clock), undefined);
  assert.equal(nextDelay(policy, 0, 0, retryable, clock), 250);
  now = 900;
  assert.equal(nextDelay(policy, 0, 0, retryable, clock), undefined, "would overrun the 1 s budget");
});
