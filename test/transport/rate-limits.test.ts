import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeRateLimits, parseDurationMs, parseRateLimitEvent, parseRateLimitHeaders } from "#src/transport/rate-limits.js";

test("Go-style durations", () => {
  assert.equal(parseDurationMs("1s"), 1000);
  assert.equal(parseDurationMs("6m0s"), 360_000);
  assert.equal(parseDurationMs("20ms"), 20);
  assert.equal(parseDurationMs("1h2m3.5s"), 3_723_500);
  assert.equal(parseDurationMs("garbage"), undefined);
});

test("Platform x-ratelimit headers", () => {
  const snap = parseRateLimitHeaders({
    "x-ratelimit-limit-requests": "500",
    "x-ratelimit-remaining-requests": "499",
    "x-ratelimit-reset-requests": "120ms",
    "x-ratelimit-limit-tokens": "30000",
    "x-ratelimit-remaining-tokens": "29000",
    "x-ratelimit-reset-tokens": "2s",
    "x-request-id": "req_1",
  });
  assert.deepEqual(snap, {
    requests: { limit: 500, remaining: 499, resetMs: 120 },
    tokens: { limit: 30000, remaining: 29000, resetMs: 2000 },
    requestId: "req_1",
  });
});

test("x-codex headers: windows, reset forms, credits, plan and extra families", () => {
  const now = 1_700_000_000_000;
  const snap = parseRateLimitHeaders(
    {
      "x-codex-primary-used-percent": "42.5",
      "x-codex-primary-window-minutes": "300",
      "x-codex-primary-reset-at": "1700003600",
      "x-codex-secondary-used-percent": "10",
      "x-codex-secondary-window-minutes": "10080",
      "x-codex-secondary-reset-after-seconds": "60",
      "x-codex-credits-has-credits": "1",
      "x-codex-credits-unlimited": "false",
      "x-codex-credits-balance": "12.5",
      "x-codex-plan-type": "plus",
      "x-codex-bengalfox-primary-used-percent": "5",
      "x-codex-bengalfox-limit-name": "GPT-5.5-Codex-Spark",
    },
    now,
  )!;
  assert.deepEqual(snap.primary, { usedPercent: 42.5, windowMinutes: 300, resetsAt: 1_700_003_600_000 });
  assert.deepEqual(snap.secondary, { usedPercent: 10, windowMinutes: 10080, resetsAt: now + 60_000 });
  assert.deepEqual(snap.credits, { hasCredits: true, unlimited: false, balance: "12.5" });
  assert.equal(snap.planType, "plus");
  assert.equal(snap.families?.bengalfox.primary?.usedPercent, 5);
  assert.equal(snap.families?.bengalfox.limitName, "GPT-5.5-Codex-Spark");
  assert.equal(parseRateLimitHeaders({ "content-type": "text/event-stream" }), undefined);
});

test("in-band codex.rate_limits event", () => {
  const snap = parseRateLimitEvent({
    type: "codex.rate_limits",
    plan_type: "pro",
    rate_limits: { primary: { used_percent: 3, window_minutes: 300, reset_at: 1_700_000_000 } },
    credits: { has_credits: false, unlimited: false, balance: null },
  });
  assert.deepEqual(snap.primary, { usedPercent: 3, windowMinutes: 300, resetsAt: 1_700_000_000_000 });
  assert.equal(snap.planType, "pro");
  assert.equal(snap.credits?.hasCredits, false);
});

test("a header family literally named `secondary` is a family, not the main secondary window", () => {
  const snap = parseRateLimitHeaders({
    "x-codex-primary-used-percent": "12.5",
    "x-codex-secondary-used-percent": "3",
    "x-codex-secondary-primary-used-percent": "80",
    "x-codex-secondary-primary-window-minutes": "1440",
  })!;
  assert.equal(snap.primary?.usedPercent, 12.5);
  assert.equal(snap.secondary?.usedPercent, 3);
  assert.deepEqual(snap.families?.secondary?.primary, { usedPercent: 80, windowMinutes: 1440, resetsAt: undefined });
});

test("in-band codex.rate_limits events are keyed by metered_limit_name / limit_name: another family never overwrites the main windows", () => {
  const fromHeaders = parseRateLimitHeaders({ "x-codex-primary-used-percent": "10", "x-codex-bengalfox-primary-used-percent": "1", "x-codex-bengalfox-limit-name": "Spark" })!;
  const other = parseRateLimitEvent({ type: "codex.rate_limits", metered_limit_name: "codex_bengalfox", rate_limits: { primary: { used_percent: 95, window_minutes: 300 } } });
  assert.equal(other.primary, undefined);
  assert.equal(other.families?.bengalfox?.primary?.usedPercent, 95);
  const byName = parseRateLimitEvent({ type: "codex.rate_limits", limit_name: "codex-other", rate_limits: { primary: { used_percent: 5 } } });
  assert.equal(byName.families?.other?.primary?.usedPercent, 5);
  const main = parseRateLimitEvent({ type: "codex.rate_limits", metered_limit_name: "codex", rate_limits: { primary: { used_percent: 11 } } });
  assert.equal(main.primary?.usedPercent, 11);

  const merged = mergeRateLimits(mergeRateLimits(fromHeaders, other), byName)!;
  assert.equal(merged.primary?.usedPercent, 10, "the main window survives another family's event");
  assert.equal(merged.families?.bengalfox?.primary?.usedPercent, 95);
  assert.equal(merged.families?.bengalfox?.limitName, "Spark", "the header's limit name is kept");
  assert.equal(merged.families?.other?.primary?.usedPercent, 5);
});
