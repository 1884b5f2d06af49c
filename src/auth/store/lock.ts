// Mutual exclusion for one file across processes and within this process (a FIFO
// queue per path, so callers here wait their turn in memory instead of polling).
//
// The cross-process lock is `<file>.lock` (lock-link.ts), created atomically so that
// only one process can take it. A waiter reads the holder record: a holder that is
// gone from this host is broken at once; a holder on another host keeps the lock
// while it refreshes the link's mtime, and is taken over after `staleMs` without a
// refresh. Breaking is serialized (lock-break.ts) so a live lock is never removed.
import { AsyncLocalStorage } from "node:async_hooks";
import { lutimes, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensurePrivateDir } from "./atomic-write.js";
import { breakLock } from "./lock-break.js";
import { currentHolder, describeHolder, encodeHolder, holderState, type LockHolder } from "./lock-holder.js";
import { createLock, observe, readLock } from "./lock-link.js";
import { storeError } from "./store-error.js";

export interface LockOptions {
  /**
   * A lock held from another host (shared home over a network filesystem) and not
   * refreshed for this long is taken over. Holders on this host are checked by pid
   * instead. Every process sharing a file must use the same value.
   */
  staleMs?: number;
  /** Give up waiting (in-process queue + lock file) after this long. */
  timeoutMs?: number;
}

export interface HeldLock {
  /**
   * Aborted if the lock was lost while held (another process replaced it, e.g. after
   * this process stalled past the stale window): do not write after that.
   */
  signal: AbortSignal;
}

const DEFAULT_STALE_MS = 10_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Between looks at a held lock a waiter sleeps 5 ms, doubling up to this cap, ±50 %
 * jitter so waiting processes do not retry in step. A lock is held for the few
 * milliseconds of a write (longer only across a token refresh); a waiter that sleeps
 * far longer than that notices a dead holder late and loses the free moments to
 * processes that look more often. With a 250 ms cap a waiter slept up to 375 ms while
 * the lock was free or its holder dead; a look costs a few system calls.
 */
const FIRST_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 50;

/** How long to sleep before look number `attempt + 1` at a held lock. */
export function lockRetryDelay(attempt: number, random: () => number = Math.random): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** attempt, MAX_BACKOFF_MS) * (0.5 + random());
}

/** Tail of each path's queue; it never rejects. */
const queues = new Map<string, Promise<void>>();

/** Locks held by the current async call chain, to turn a self-deadlock into an error. */
interface HeldEntry {
  key: string;
  active: boolean;
}
const heldByCaller = new AsyncLocalStorage<readonly HeldEntry[]>();

/** Run `fn` while holding the lock for `targetPath` (which need not exist). */
export async function withFileLock<T>(
  targetPath: string,
  fn: (lock: HeldLock) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const key = resolve(targetPath);
  if (heldByCaller.getStore()?.some((entry) => entry.key === key && entry.active)) {
    throw storeError(`nested lock on ${key}: this call is already inside a locked section for the same file`);
  }
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;

  const previous = queues.get(key) ?? Promise.resolve();
  let finish!: () => void;
  const mine = new Promise<void>((done) => (finish = done));
  // The next caller waits for everyone before it, even if this caller gives up early.
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  try {
    await waitForTurn(previous, deadline, key);
    return await lockAndRun(key, fn, staleMs, deadline);
  } finally {
    finish();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/** A lock taken with holdFileLock: held until release(). */
export interface LongHeldLock extends HeldLock {
  /** Let go of the lock; resolves once it is removed (or found no longer ours). */
  release(): Promise<void>;
}

/**
 * Take the lock for `targetPath` and keep it until release(): for a holder that owns a
 * file or directory for as long as it runs (a server's response files), where
 * withFileLock's callback would have to last that long. Rejects as withFileLock does
 * when the lock cannot be had within `timeoutMs`.
 */
export function holdFileLock(targetPath: string, options: LockOptions = {}): Promise<LongHeldLock> {
  return new Promise((resolve, reject) => {
    let letGo!: () => void;
    const released = new Promise<void>((done) => (letGo = done));
    const holding: Promise<void> = withFileLock(
      targetPath,
      (lock) => {
        resolve({
          signal: lock.signal,
          release: () => {
            letGo();
            return holding;
          },
        });
        return released;
      },
      options,
    );
    // Before the lock was had: the failure to take it. After: release() reports nothing.
    holding.catch(reject);
  });
}

/**
 * Who holds the lock for `targetPath`, for a message ("process 123 on this host (since
 * …)"); undefined when nobody does or its record cannot be read.
 */
export async function describeLockHolder(targetPath: string): Promise<string | undefined> {
  const seen = await observe(`${resolve(targetPath)}.lock`).catch(() => undefined);
  return seen?.kind === "held" && seen.holder ? describeHolder(seen.holder) : undefined;
}

async function waitForTurn(previous: Promise<void>, deadline: number, key: string): Promise<void> {
  const timer = new AbortController();
  const timedOut = sleep(Math.max(0, deadline - Date.now()), undefined, { signal: timer.signal }).then(() => {
    throw storeError(`timed out waiting for other operations on ${key} in this process`);
  });
  try {
    await Promise.race([previous, timedOut]);
  } finally {
    timer.abort();
    timedOut.catch(() => undefined);
  }
}

async function lockAndRun<T>(
  key: string,
  fn: (lock: HeldLock) => Promise<T>,
  staleMs: number,
  deadline: number,
): Promise<T> {
  const lost = new AbortController();
  const release = await acquire(key, staleMs, deadline, lost);
  const entry: HeldEntry = { key, active: true };
  try {
    const outer = heldByCaller.getStore() ?? [];
    return await heldByCaller.run([...outer, entry], () => fn({ signal: lost.signal }));
  } finally {
    entry.active = false;
    // The caller's work is done (or failed on its own); a failed release only means
    // the lock was already lost or removed, and an orphan lock goes stale anyway.
    await release().catch(() => undefined);
  }
}

async function acquire(
  key: string,
  staleMs: number,
  deadline: number,
  lost: AbortController,
): Promise<() => Promise<void>> {
  const lockPath = `${key}.lock`;
  await ensurePrivateDir(dirname(key));
  const mine = encodeHolder(currentHolder());
  for (let attempt = 0; ; attempt++) {
    try {
      await createLock(lockPath, mine);
      return holdLock(lockPath, mine, staleMs, lost);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw storeError(`could not lock ${key}`, error);
    }
    const seen = await observe(lockPath);
    if (seen.kind === "absent") continue;
    const state = seen.holder ? holderState(seen.holder) : "other-host";
    const abandoned = state === "gone" || (state === "other-host" && seen.ageMs > staleMs);
    // Retry at once after a break; while another breaker is at work, back off.
    if (abandoned && (await breakLock(lockPath, seen.raw, staleMs))) continue;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw timeoutError(key, lockPath, seen.holder, state === "running");
    await sleep(Math.min(remaining, lockRetryDelay(attempt)));
  }
}

function timeoutError(key: string, lockPath: string, holder: LockHolder | undefined, running: boolean): Error {
  const prefix = `timed out waiting for lock ${key}`;
  if (!holder) return storeError(`${prefix}; if no other codex-provider process is running, delete ${lockPath}`);
  // A live holder's lock is never to be deleted: that is how two writers collide.
  if (running) return storeError(`${prefix}: it is held by ${describeHolder(holder)}, which is still running; wait for it or stop that process`);
  return storeError(
    `${prefix}: it is held by ${describeHolder(holder)}; if codex-provider is no longer running there, delete ${lockPath}`,
  );
}

function holdLock(lockPath: string, mine: string, staleMs: number, lost: AbortController): () => Promise<void> {
  const isMine = async () => (await readLock(lockPath).catch(() => undefined)) === mine;
  // Refresh several times per stale window so one slow tick of the event loop does
  // not make a live lock look abandoned to another host. The ownership check stays
  // because a lock can still be lost while held: a holder that stalls past the stale
  // window is taken over from another host, and the break lock's own residual risk
  // (lock-break.ts); the signal then stops the caller from writing.
  const timer = setInterval(() => {
    void (async () => {
      if (!(await isMine())) {
        lost.abort(storeError(`lost the lock ${lockPath} while holding it; not writing ${lockPath.slice(0, -".lock".length)}`));
        clearInterval(timer);
        return;
      }
      const now = new Date();
      await lutimes(lockPath, now, now).catch(() => undefined);
    })();
  }, Math.max(250, Math.floor(staleMs / 4)));
  timer.unref();
  return async () => {
    clearInterval(timer);
    // Never remove a lock that is no longer ours.
    if (await isMine()) await rm(lockPath, { force: true });
  };
}
