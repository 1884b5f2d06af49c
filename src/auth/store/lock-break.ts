// Removing an abandoned lock without ever removing a live one.
//
// Waiters that find a dead holder's lock must not each delete `<file>.lock`: the
// second could delete the lock the first has just taken, and two processes would
// write at once (the lost update docs/RELIABILITY.md records). So breakers take turns:
// to remove the lock observed as `raw`, a breaker first creates the break lock
// `<lock>.break-<digest of raw>` (atomic, fails on EEXIST), re-reads `<lock>` and
// removes it only if it still holds `raw`. Nobody else removes a lock: its holder
// releases it, and the holder of `raw` is dead. Records carry a random nonce, so the
// digest names one lock instance: a late breaker that creates the break lock after the
// first one finished finds a different lock (or none) and leaves it alone.
//
// A breaker that dies inside its critical section (microseconds) leaves its break
// lock behind; that one is broken the same way, one level down (its own record is
// unique too). Residual risk, documented in docs/RELIABILITY.md: a break lock whose
// holder is alive but stalled inside the critical section for longer than `staleMs`
// (stopped, or on another host) is taken as abandoned, and if that breaker resumes
// after someone else took the lock, it removes the new lock.
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { currentHolder, encodeHolder, holderState } from "./lock-holder.js";
import { createLock, observe, readLock } from "./lock-link.js";
import { storeError } from "./store-error.js";

/** Break locks of break locks: each level needs a breaker to have died in the one above. */
const MAX_DEPTH = 3;

/**
 * Remove the lock at `lockPath` if it still holds `raw` (a record the caller judged
 * abandoned). Returns false when another breaker is at work, so the caller backs off
 * instead of spinning.
 */
export async function breakLock(lockPath: string, raw: string, staleMs: number, depth = 0): Promise<boolean> {
  const breakPath = breakLockPath(lockPath, raw);
  const mine = encodeHolder(currentHolder());
  try {
    await createLock(breakPath, mine);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw storeError(`could not break the abandoned lock ${lockPath}`, error);
    return depth < MAX_DEPTH ? breakAbandoned(breakPath, staleMs, depth + 1) : false;
  }
  try {
    // Only the holder of this break lock may remove a lock holding `raw`, and its dead
    // holder cannot release it: between this read and the removal nothing can change.
    // The second read makes sure this breaker was not itself judged abandoned meanwhile.
    if ((await readLock(lockPath).catch(() => undefined)) === raw && (await readLock(breakPath).catch(() => undefined)) === mine) {
      // `recursive` removes a lock directory left by an older codex-provider.
      await rm(lockPath, { recursive: true, force: true });
    }
    return true;
  } finally {
    if ((await readLock(breakPath).catch(() => undefined)) === mine) await rm(breakPath, { force: true });
  }
}

/** The break lock for the lock instance whose record is `raw`. */
export function breakLockPath(lockPath: string, raw: string): string {
  return `${lockPath}.break-${createHash("sha256").update(raw).digest("hex").slice(0, 16)}`;
}

/** A break lock someone else holds: wait for it, unless its holder died or stalled. */
async function breakAbandoned(breakPath: string, staleMs: number, depth: number): Promise<boolean> {
  const seen = await observe(breakPath);
  if (seen.kind === "absent") return true;
  // Its critical section takes microseconds: a same-host holder is checked by pid, and
  // any holder older than the stale window is stuck (stopped, or its host is gone).
  const abandoned = (seen.holder !== undefined && holderState(seen.holder) === "gone") || seen.ageMs > staleMs;
  return abandoned ? breakLock(breakPath, seen.raw, staleMs, depth) : false;
}
