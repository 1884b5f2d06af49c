// Usage accounting the clients can observe: the Platform's per-minute `x-ratelimit-*` headers
// (docs/protocol.md#platform-api-key), and ChatGPT-plan usage shared by SIWC and the Codex backend
// (docs/protocol.md#siwc-eligibility), surfaced as `x-codex-*` headers (docs/protocol.md#codex-rate-limits),
// `wham/usage` (docs/protocol.md#codex-models-and-usage) and the usage-limit 429
// (docs/protocol.md#codex-errors). Numbers move with every accepted request so clients that display or react
// to them can be tested.
import { nowSeconds } from "./ids.js";
import type { SseEvent } from "./sse.js";

const MINUTE_MS = 60_000;
const REQUEST_LIMIT = 10_000;
const TOKEN_LIMIT = 30_000_000;

/** `6m0s`, `1.5s`, `120ms`: the duration style of `x-ratelimit-reset-*`. */
function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Math.floor(ms / 60_000)}m${Math.floor((ms % 60_000) / 1000)}s`;
}

/** One shared per-minute window for every Platform key: enough to make the headers move. */
export class PlatformRateLimits {
  private windowStart = Date.now();
  private requests = 0;
  private tokens = 0;

  /** Count a request of about `tokens` tokens and return the headers for its response. */
  consume(tokens: number): Record<string, string> {
    const now = Date.now();
    if (now - this.windowStart >= MINUTE_MS) {
      this.windowStart = now;
      this.requests = 0;
      this.tokens = 0;
    }
    this.requests += 1;
    this.tokens += tokens;
    const reset = formatReset(this.windowStart + MINUTE_MS - now);
    return {
      "x-ratelimit-limit-requests": String(REQUEST_LIMIT),
      "x-ratelimit-limit-tokens": String(TOKEN_LIMIT),
      "x-ratelimit-remaining-requests": String(Math.max(0, REQUEST_LIMIT - this.requests)),
      "x-ratelimit-remaining-tokens": String(Math.max(0, TOKEN_LIMIT - this.tokens)),
      "x-ratelimit-reset-requests": reset,
      "x-ratelimit-reset-tokens": reset,
    };
  }
}

export interface UsageSnapshot {
  planType: string;
  primaryUsedPercent: number;
  secondaryUsedPercent: number;
  primaryResetAt: number;
  primaryResetAfterSeconds: number;
  secondaryResetAt: number;
  secondaryResetAfterSeconds: number;
  limitReached: boolean;
}

const PRIMARY_WINDOW_MINUTES = 300;
const SECONDARY_WINDOW_MINUTES = 10_080;
// With an unlimited budget the percentage still has to move; pretend a window holds
// this many requests and never let it reach 100.
const NOMINAL_BUDGET = 200;

/**
 * Plan usage per ChatGPT account. The primary (5 h) window is the one that runs out;
 * the weekly window is reported at a quarter of its pace (inferred: a 5 h allowance is
 * a fraction of the weekly one). The primary window restarts after `resetSeconds`.
 */
export class PlanUsage {
  private readonly used = new Map<string, number>();
  private primaryResetAt: number;
  private readonly secondaryResetAt: number;

  constructor(
    private readonly budget: number,
    private readonly resetSeconds: number,
  ) {
    const now = nowSeconds();
    this.primaryResetAt = now + resetSeconds;
    this.secondaryResetAt = now + SECONDARY_WINDOW_MINUTES * 60;
  }

  exhausted(accountId: string): boolean {
    this.roll();
    return (this.used.get(accountId) ?? 0) >= this.budget;
  }

  consume(accountId: string): void {
    this.roll();
    this.used.set(accountId, (this.used.get(accountId) ?? 0) + 1);
  }

  snapshot(accountId: string, planType: string): UsageSnapshot {
    this.roll();
    const used = this.used.get(accountId) ?? 0;
    const primary = Number.isFinite(this.budget)
      ? Math.min(100, (used / Math.max(this.budget, 1)) * 100)
      : Math.min(99, (used / NOMINAL_BUDGET) * 100);
    const now = nowSeconds();
    return {
      planType,
      primaryUsedPercent: round1(primary),
      secondaryUsedPercent: round1(primary / 4),
      primaryResetAt: this.primaryResetAt,
      primaryResetAfterSeconds: Math.max(0, this.primaryResetAt - now),
      secondaryResetAt: this.secondaryResetAt,
      secondaryResetAfterSeconds: Math.max(0, this.secondaryResetAt - now),
      limitReached: used >= this.budget,
    };
  }

  private roll(): void {
    const now = nowSeconds();
    if (now < this.primaryResetAt) return;
    this.used.clear();
    this.primaryResetAt = now + this.resetSeconds;
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

// A second metered limit besides the plan's main one, as the backend reports per-model
// limits: its own header family `x-codex-<family>-*` with a `-limit-name`
// (openai/codex codex-api/src/rate_limits.rs), and an `additional_rate_limits` entry in
// wham/usage keyed by `metered_feature` (backend-client/src/client.rs). Nothing here
// spends it, so it stays at 0 %; clients must keep it apart from the main windows.
const EXTRA_LIMIT = { id: "codex_bengalfox", header: "bengalfox", name: "GPT-5.3-Codex-Spark", windowMinutes: 300 };

/** docs/protocol.md#codex-rate-limits header family `x-codex-`. */
export function codexHeaders(s: UsageSnapshot): Record<string, string> {
  const extra = `x-codex-${EXTRA_LIMIT.header}`;
  return {
    [`${extra}-primary-used-percent`]: "0",
    [`${extra}-primary-window-minutes`]: String(EXTRA_LIMIT.windowMinutes),
    [`${extra}-primary-reset-at`]: String(s.primaryResetAt),
    [`${extra}-limit-name`]: EXTRA_LIMIT.name,
    "x-codex-primary-used-percent": String(s.primaryUsedPercent),
    "x-codex-secondary-used-percent": String(s.secondaryUsedPercent),
    "x-codex-primary-window-minutes": String(PRIMARY_WINDOW_MINUTES),
    "x-codex-secondary-window-minutes": String(SECONDARY_WINDOW_MINUTES),
    "x-codex-primary-reset-at": String(s.primaryResetAt),
    "x-codex-secondary-reset-at": String(s.secondaryResetAt),
    "x-codex-primary-reset-after-seconds": String(s.primaryResetAfterSeconds),
    "x-codex-secondary-reset-after-seconds": String(s.secondaryResetAfterSeconds),
    "x-codex-primary-over-secondary-limit-percent": "0",
    "x-codex-credits-has-credits": "false",
    "x-codex-credits-unlimited": "false",
    "x-codex-credits-balance": "0",
    "x-codex-active-limit": "codex",
    "x-codex-plan-type": s.planType,
  };
}

/**
 * docs/protocol.md#codex-rate-limits in-band event: the backend opens a stream with it, before
 * `response.created`, carrying the numbers of the headers. Unlike the headers it has no
 * sequence number and is not a Responses event; a client must take it without treating
 * the stream as started.
 */
export function rateLimitsEvent(s: UsageSnapshot): SseEvent {
  const window = (usedPercent: number, minutes: number, resetAfter: number, resetAt: number) => ({
    used_percent: usedPercent,
    window_minutes: minutes,
    reset_after_seconds: resetAfter,
    reset_at: resetAt,
  });
  const type = "codex.rate_limits";
  const data = {
    type,
    plan_type: s.planType,
    rate_limits: {
      allowed: !s.limitReached,
      limit_reached: s.limitReached,
      primary: window(s.primaryUsedPercent, PRIMARY_WINDOW_MINUTES, s.primaryResetAfterSeconds, s.primaryResetAt),
      secondary: window(s.secondaryUsedPercent, SECONDARY_WINDOW_MINUTES, s.secondaryResetAfterSeconds, s.secondaryResetAt),
    },
    credits: { has_credits: false, unlimited: false, balance: "0" },
    code_review_rate_limits: null,
  };
  return { event: type, data: JSON.stringify(data) };
}

/** docs/protocol.md#codex-models-and-usage `GET /backend-api/wham/usage`, the same numbers as the headers. */
export function whamUsage(s: UsageSnapshot): unknown {
  const window = (usedPercent: number, minutes: number, resetAfter: number, resetAt: number) => ({
    used_percent: usedPercent,
    limit_window_seconds: minutes * 60,
    reset_after_seconds: resetAfter,
    reset_at: resetAt,
  });
  return {
    plan_type: s.planType,
    rate_limit: {
      allowed: !s.limitReached,
      limit_reached: s.limitReached,
      primary_window: window(s.primaryUsedPercent, PRIMARY_WINDOW_MINUTES, s.primaryResetAfterSeconds, s.primaryResetAt),
      secondary_window: window(s.secondaryUsedPercent, SECONDARY_WINDOW_MINUTES, s.secondaryResetAfterSeconds, s.secondaryResetAt),
    },
    credits: { has_credits: false, unlimited: false, balance: "0" },
    rate_limit_reached_type: s.limitReached ? { type: "rate_limit_reached" } : null,
    additional_rate_limits: [
      {
        limit_name: EXTRA_LIMIT.name,
        metered_feature: EXTRA_LIMIT.id,
        rate_limit: {
          allowed: true,
          limit_reached: false,
          primary_window: window(0, EXTRA_LIMIT.windowMinutes, s.primaryResetAfterSeconds, s.primaryResetAt),
          secondary_window: null,
        },
      },
    ],
  };
}

/** docs/protocol.md#codex-errors usage-limit body of the backend. */
export function usageLimitReachedBody(s: UsageSnapshot): unknown {
  return {
    error: {
      type: "usage_limit_reached",
      message: "The usage limit has been reached",
      plan_type: s.planType,
      resets_at: s.primaryResetAt,
      resets_in_seconds: s.primaryResetAfterSeconds,
    },
  };
}
