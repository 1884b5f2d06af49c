// The attempt loop's decisions, one at a time; the end-to-end tests (stream-e2e, refresh,
// revoke) drive the same unit over real loopback HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Attempts } from "#src/transport/attempts.js";
import type { AuthSource } from "#src/transport/auth-source.js";
import type { Notice } from "#src/notice.js";
import type { Clock } from "#src/transport/retry.js";
import { ProviderError } from "#src/errors.js";

function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, random: () => 0.5, sleep: async (ms) => void slept.push(ms) };
}

function auth(repairs: boolean): AuthSource & { repairs: number } {
  return {
    description: "test",
    repairs: 0,
    headers: async () => ({ authorization: "Bearer t" }),
    async unauthorized() {
      this.repairs += 1;
      return repairs;
    },
  };
}

const retryable = new ProviderError("server_error", "boom", { retryable: true });

test("the first 401 asks the AuthSource to repair and resolves to send again; a second 401 is thrown", async () => {
  const source = auth(true);
  const attempts = new Attempts({ auth: source, clock: recordingClock() });
  assert.deepEqual(await attempts.authHeaders(), { authorization: "Bearer t" });
  await attempts.rejected(401, {}, '{"error":{"code":"token_expired"}}');
  await assert.rejects(attempts.rejected(401, {}, ""), (error: ProviderError) => error.status === 401);
  assert.equal(source.repairs, 1);
});

test("a 401 the AuthSource cannot repair, or any other status, is thrown classified", async () => {
  const source = auth(false);
  const attempts = new Attempts({ auth: source });
  await assert.rejects(attempts.rejected(401, {}, ""), (error: ProviderError) => error.code === "invalid_credentials");
  assert.equal(source.repairs, 1);
  await assert.rejects(
    new Attempts({ auth: source }).rejected(429, {}, '{"error":{"type":"usage_limit_reached","resets_at":2000000000}}'),
    (error: ProviderError) => error.code === "usage_limit_reached" && !error.retryable,
  );
  // Without an AuthSource there is nothing to repair.
  await assert.rejects(new Attempts().rejected(401, {}, ""), (error: ProviderError) => error.status === 401);
});

test("retryable failures back off within the policy and report each retry; the rest are thrown", async () => {
  const clock = recordingClock();
  const notices: Notice[] = [];
  const attempts = new Attempts({ clock, retry: { maxRetries: 2 }, onNotice: (notice) => notices.push(notice) });
  await attempts.failed(retryable);
  await attempts.failed(retryable);
  await assert.rejects(attempts.failed(retryable), (error) => error === retryable, "the third failure exceeds maxRetries 2");
  assert.deepEqual(clock.slept, [250, 500]);
  assert.deepEqual(notices.map((notice) => notice.code === "retry" && notice.retry), [1, 2]);

  const terminal = new ProviderError("usage_limit_reached", "limit");
  await assert.rejects(new Attempts({ clock }).failed(terminal), (error) => error === terminal);
  const bug = new TypeError("not a provider failure");
  await assert.rejects(new Attempts({ clock }).failed(bug), (error) => error === bug);
});

test("nothing is retried once the caller has content, or after an abort", async () => {
  const clock = recordingClock();
  await assert.rejects(new Attempts({ clock, canRetry: () => false }).failed(retryable), (error) => error === retryable);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(new Attempts({ clock, signal: controller.signal }).failed(retryable), (error: ProviderError) => error.code === "aborted");
  assert.deepEqual(clock.slept, []);
});
