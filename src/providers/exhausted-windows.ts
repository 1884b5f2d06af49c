// Which fallback entries are known to be out of usage until when, so a chain skips them
// without a request. Kept in memory per process and in `<home>/fallback-windows.json`
// (0600, atomic) so the next CLI run skips too; the file is a cache: unreadable or
// stale content is ignored, never an error.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../auth/store/atomic-write.js";
import type { RateLimitSnapshot, RateLimitWindow } from "../types.js";

export const WINDOWS_FILE = "fallback-windows.json";
/** Entries remembered at most (labels are few; the bound keeps a hand-edited file harmless). */
const MAX_ENTRIES = 64;

type Until = Map<string, number>;

/** One book per state directory and process: every chain over that home shares what it learned. */
const books = new Map<string, Until>();

function bookFor(home: string): Until {
  let book = books.get(home);
  if (!book) books.set(home, (book = new Map()));
  return book;
}

async function readFileBook(home: string): Promise<Record<string, number>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(home, WINDOWS_FILE), "utf8"));
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    const out: Record<string, number> = {};
    for (const [label, until] of Object.entries(parsed).slice(0, MAX_ENTRIES)) if (typeof until === "number" && Number.isFinite(until)) out[label] = until;
    return out;
  } catch {
    return {};
  }
}

/** Exhausted entries of `home` that have not reset yet, from memory and the file, label → epoch ms. */
export async function exhaustedUntil(home: string, now = Date.now()): Promise<Map<string, number>> {
  const book = bookFor(home);
  for (const [label, until] of Object.entries(await readFileBook(home))) book.set(label, Math.max(until, book.get(label) ?? 0));
  for (const [label, until] of book) if (until <= now) book.delete(label);
  return new Map(book);
}

/** Remember that `label` is exhausted until `until`; persisted best effort (a failed write returns the error). */
export async function markExhausted(home: string, label: string, until: number, now = Date.now()): Promise<unknown> {
  const book = bookFor(home);
  book.set(label, Math.max(until, book.get(label) ?? 0));
  const current = await exhaustedUntil(home, now);
  const kept = [...current].sort((a, b) => b[1] - a[1]).slice(0, MAX_ENTRIES);
  try {
    await writeFileAtomic(join(home, WINDOWS_FILE), `${JSON.stringify(Object.fromEntries(kept), null, 2)}\n`, { mode: 0o600 });
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * When rate-limit headers say a main window is used up (100 %), the time it resets;
 * otherwise undefined (docs/protocol.md#codex-rate-limits).
 */
export function fullWindowResetsAt(limits: RateLimitSnapshot | undefined): number | undefined {
  const full = [limits?.primary, limits?.secondary].filter((w): w is RateLimitWindow => w !== undefined && w.usedPercent >= 100 && w.resetsAt !== undefined);
  return full.length ? Math.max(...full.map((w) => w.resetsAt!)) : undefined;
}
