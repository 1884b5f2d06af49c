// Rate-limit headers of both backends folded into one RateLimitSnapshot: Platform `x-ratelimit-*`
// (docs/protocol.md#platform-api-key) and ChatGPT backend `x-codex-*` (docs/protocol.md#codex-rate-limits),
// plus the in-band `codex.rate_limits` event.
import type { RateLimitSnapshot, RateLimitWindow } from "../types.js";

type Headers = Record<string, string>;

/** Go-style durations used by x-ratelimit-reset-*: "1s", "6m0s", "20ms", "1h2m3.5s". */
export function parseDurationMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  let matched = "";
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) {
    total += Number(match[1]) * units[match[2]];
    matched += match[0];
  }
  return matched === text && matched.length > 0 ? Math.round(total) : undefined;
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function bool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  return undefined;
}

function codexWindow(headers: Headers, prefix: string, which: "primary" | "secondary", now: number): RateLimitWindow | undefined {
  const usedPercent = num(headers[`${prefix}-${which}-used-percent`]);
  if (usedPercent === undefined) return undefined;
  const windowMinutes = num(headers[`${prefix}-${which}-window-minutes`]);
  const resetAt = num(headers[`${prefix}-${which}-reset-at`]);
  const resetAfter =
    num(headers[`${prefix}-${which}-reset-after-seconds`]) ?? num(headers[`${prefix}-${which}-resets-in-seconds`]);
  const resetsAt = resetAt !== undefined ? resetAt * 1000 : resetAfter !== undefined ? now + resetAfter * 1000 : undefined;
  return { usedPercent, windowMinutes, resetsAt };
}

/** Returns undefined when the response carried no rate-limit information. */
export function parseRateLimitHeaders(headers: Headers, now = Date.now()): RateLimitSnapshot | undefined {
  // Every field below comes from an `x-ratelimit-*` or `x-codex-*` header; most
  // responses (local servers, custom providers) carry none, and this runs per call.
  let any = false;
  for (const name in headers) if (name.startsWith("x-ratelimit-") || name.startsWith("x-codex-")) any = true;
  if (!any) return undefined;
  const snapshot: RateLimitSnapshot = {};
  let found = false;

  for (const kind of ["requests", "tokens"] as const) {
    const limit = num(headers[`x-ratelimit-limit-${kind}`]);
    const remaining = num(headers[`x-ratelimit-remaining-${kind}`]);
    if (limit === undefined && remaining === undefined) continue;
    snapshot[kind] = { limit, remaining, resetMs: parseDurationMs(headers[`x-ratelimit-reset-${kind}`]) };
    found = true;
  }

  const primary = codexWindow(headers, "x-codex", "primary", now);
  const secondary = codexWindow(headers, "x-codex", "secondary", now);
  if (primary) snapshot.primary = primary;
  if (secondary) snapshot.secondary = secondary;
  if (primary || secondary) found = true;

  // Extra limit families: any `x-codex-<family>-{primary,secondary}-used-percent` header.
  // A family may be called `secondary` (openai/codex codex-api/src/rate_limits.rs reads
  // `x-codex-secondary-primary-used-percent` as limit `codex_secondary`); the main
  // windows' own headers never match, having no family segment.
  for (const name of Object.keys(headers)) {
    if (!name.startsWith("x-codex-")) continue;
    const match = /^x-codex-([a-z0-9_-]+?)-(primary|secondary)-used-percent$/.exec(name);
    if (!match) continue;
    const family = match[1];
    const prefix = `x-codex-${family}`;
    snapshot.families ??= {};
    if (snapshot.families[family]) continue;
    snapshot.families[family] = {
      primary: codexWindow(headers, prefix, "primary", now),
      secondary: codexWindow(headers, prefix, "secondary", now),
      limitName: headers[`${prefix}-limit-name`],
    };
    found = true;
  }

  const hasCredits = bool(headers["x-codex-credits-has-credits"]);
  const unlimited = bool(headers["x-codex-credits-unlimited"]);
  const balance = headers["x-codex-credits-balance"];
  if (hasCredits !== undefined || unlimited !== undefined || balance !== undefined) {
    snapshot.credits = { hasCredits, unlimited, balance };
    found = true;
  }
  const active = headers["x-codex-active-limit"]?.trim();
  if (active) {
    snapshot.activeLimit = normalizeLimitId(active);
    found = true;
  }
  if (headers["x-codex-plan-type"]) {
    snapshot.planType = headers["x-codex-plan-type"];
    found = true;
  }
  const requestId = headers["x-request-id"] ?? headers["x-oai-request-id"];
  if (requestId) snapshot.requestId = requestId;
  return found ? snapshot : undefined;
}

function eventWindow(value: unknown): RateLimitWindow | undefined {
  if (!value || typeof value !== "object") return undefined;
  const w = value as Record<string, unknown>;
  if (typeof w.used_percent !== "number") return undefined;
  return {
    usedPercent: w.used_percent,
    windowMinutes: typeof w.window_minutes === "number" ? w.window_minutes : undefined,
    resetsAt: typeof w.reset_at === "number" ? w.reset_at * 1000 : undefined,
  };
}

/** Codex's limit ids: lower case, `_` for `-` (`codex-bengalfox` → `codex_bengalfox`). */
function normalizeLimitId(id: string): string {
  return id.trim().toLowerCase().replace(/-/g, "_");
}

/** The `families` key of a limit id, or undefined for the main (`codex`) limit. */
export function familyKey(limitId: string | undefined): string | undefined {
  const id = limitId === undefined ? "codex" : normalizeLimitId(limitId);
  if (id === "codex" || id === "") return undefined;
  return id.startsWith("codex_") ? id.slice("codex_".length) : id;
}

/**
 * The in-band `codex.rate_limits` SSE event (docs/protocol.md#codex-rate-limits). Its windows belong to the
 * limit named by `metered_limit_name`, else `limit_name`, else the main `codex` limit
 * (openai/codex rate_limits.rs `parse_rate_limit_event`): another family's event fills
 * `families`, never the main windows.
 */
export function parseRateLimitEvent(event: Record<string, unknown>): RateLimitSnapshot {
  const limits = (event.rate_limits ?? {}) as Record<string, unknown>;
  const snapshot: RateLimitSnapshot = {};
  const primary = eventWindow(limits.primary);
  const secondary = eventWindow(limits.secondary);
  const limitId = [event.metered_limit_name, event.limit_name].find((v): v is string => typeof v === "string" && v.trim() !== "");
  const family = familyKey(limitId);
  if (family !== undefined) {
    if (primary || secondary) snapshot.families = { [family]: { primary, secondary } };
  } else {
    if (primary) snapshot.primary = primary;
    if (secondary) snapshot.secondary = secondary;
  }
  if (event.credits && typeof event.credits === "object") {
    const c = event.credits as Record<string, unknown>;
    snapshot.credits = {
      hasCredits: typeof c.has_credits === "boolean" ? c.has_credits : undefined,
      unlimited: typeof c.unlimited === "boolean" ? c.unlimited : undefined,
      balance: c.balance === undefined || c.balance === null ? undefined : String(c.balance),
    };
  }
  if (typeof event.plan_type === "string") snapshot.planType = event.plan_type;
  return snapshot;
}

/** Later information wins field by field. */
export function mergeRateLimits(
  a: RateLimitSnapshot | undefined,
  b: RateLimitSnapshot | undefined,
): RateLimitSnapshot | undefined {
  if (!a) return b;
  if (!b) return a;
  const families = a.families || b.families ? { ...a.families } : undefined;
  // Family by family, field by field: an event without a limit name keeps the header's.
  for (const [name, family] of Object.entries(b.families ?? {})) families![name] = { ...families![name], ...definedFields(family) };
  return { ...a, ...b, families };
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
