// Plan usage of the ChatGPT backend: the `wham/usage` answer (docs/protocol.md#codex-models-and-usage) read into
// the shared RateLimitSnapshot, and the last `x-codex-*` snapshot a response carried,
// kept in the state directory so `codex-provider usage` can fall back to it from
// another process. The file holds percentages and times only, no secrets.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../auth/store/index.js";
import { familyKey, parseRateLimitEvent } from "../transport/rate-limits.js";
import type { RateLimitSnapshot, RateLimitWindow } from "../types.js";

export interface CodexUsageReport {
  /** `usage-endpoint` = fresh from wham/usage; `last-response` = the headers of the latest model call. */
  source: "usage-endpoint" | "last-response";
  /** ISO 8601 time the numbers were observed. */
  observedAt: string;
  rateLimits: RateLimitSnapshot;
  /** Why the usage endpoint was not used, for `last-response`. */
  fallbackReason?: string;
}

type Json = Record<string, unknown>;

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function usageWindow(value: unknown, now: number): RateLimitWindow | undefined {
  if (!value || typeof value !== "object") return undefined;
  const w = value as Json;
  const usedPercent = num(w.used_percent);
  if (usedPercent === undefined) return undefined;
  const seconds = num(w.limit_window_seconds);
  const resetAt = num(w.reset_at);
  const resetAfter = num(w.reset_after_seconds);
  return {
    usedPercent,
    // Rounded up, as Codex does (backend-client/src/client.rs `window_minutes_from_seconds`).
    windowMinutes: seconds === undefined || seconds <= 0 ? undefined : Math.ceil(seconds / 60),
    resetsAt: resetAt !== undefined ? resetAt * 1000 : resetAfter !== undefined ? now + resetAfter * 1000 : undefined,
  };
}

function windowsOf(value: unknown, now: number): { primary?: RateLimitWindow; secondary?: RateLimitWindow } {
  const limits = (value && typeof value === "object" ? value : {}) as Json;
  return { primary: usageWindow(limits.primary_window, now), secondary: usageWindow(limits.secondary_window, now) };
}

/** Bounds what a hostile answer can make us keep. */
const MAX_ADDITIONAL_LIMITS = 32;

/**
 * `{plan_type, rate_limit:{primary_window, secondary_window}, credits,
 * rate_limit_reached_type:{type}, additional_rate_limits:[{limit_name, metered_feature,
 * rate_limit}]}` → snapshot (openai/codex backend-client/src/client.rs); windows without
 * data are dropped, each additional limit becomes a family keyed by its metered feature.
 */
export function parseWhamUsage(body: unknown, now = Date.now()): RateLimitSnapshot {
  const json = (body && typeof body === "object" ? body : {}) as Json;
  // Plan and credits have the same shape as in the in-band `codex.rate_limits` event.
  const snapshot = parseRateLimitEvent({ plan_type: json.plan_type, credits: json.credits });
  const { primary, secondary } = windowsOf(json.rate_limit, now);
  if (primary) snapshot.primary = primary;
  if (secondary) snapshot.secondary = secondary;
  const reached = (json.rate_limit_reached_type as Json | null | undefined)?.type;
  if (typeof reached === "string") snapshot.limitReachedType = reached;
  const additional = Array.isArray(json.additional_rate_limits) ? json.additional_rate_limits.slice(0, MAX_ADDITIONAL_LIMITS) : [];
  for (const entry of additional as Json[]) {
    const id = typeof entry?.metered_feature === "string" ? entry.metered_feature : undefined;
    const key = familyKey(id);
    if (key === undefined) continue;
    const limitName = typeof entry.limit_name === "string" ? entry.limit_name : undefined;
    snapshot.families = { ...snapshot.families, [key]: { ...windowsOf(entry.rate_limit, now), limitName } };
  }
  return snapshot;
}

interface SavedUsage {
  version: 1;
  observedAt: string;
  rateLimits: RateLimitSnapshot;
}

// One queue for the process: two responses never race on a file, and the last write wins.
let writing: Promise<void> = Promise.resolve();

/** Resolves when every snapshot queued so far is on disk (before reading it back, or removing the directory). */
export function usageWritesSettled(): Promise<void> {
  return writing;
}

/** The last snapshot of one profile, saved after each response that carried one. */
export class LastUsageFile {
  readonly path: string;

  constructor(home: string, profile: string) {
    this.path = join(home, "usage", `chatgpt-codex.${profile}.json`);
  }

  /** Queued, off the response's path; failures only reach `onError`. */
  save(rateLimits: RateLimitSnapshot | undefined, onError: (error: unknown) => void): void {
    if (!rateLimits || (!rateLimits.primary && !rateLimits.secondary)) return;
    const { requestId: _requestId, ...numbers } = rateLimits;
    const saved: SavedUsage = { version: 1, observedAt: new Date().toISOString(), rateLimits: numbers };
    writing = writing.then(() => writeFileAtomic(this.path, `${JSON.stringify(saved, null, 2)}\n`)).catch(onError);
  }

  async load(): Promise<Omit<SavedUsage, "version"> | undefined> {
    await usageWritesSettled();
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch {
      return undefined;
    }
    try {
      const saved = JSON.parse(text) as Partial<SavedUsage>;
      if (saved.version !== 1 || typeof saved.observedAt !== "string" || !saved.rateLimits || typeof saved.rateLimits !== "object") return undefined;
      return { observedAt: saved.observedAt, rateLimits: saved.rateLimits };
    } catch {
      return undefined;
    }
  }
}
