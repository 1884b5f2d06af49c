// Mutual exclusion for one file across processes (a `<file>.lock` directory managed
// by proper-lockfile) and within this process (a FIFO queue per path, so callers
// here wait their turn in memory instead of polling the lock directory).
import { AsyncLocalStorage } from "node:async_hooks";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { lock } from "proper-lockfile";
import { ensurePrivateDir } from "./atomic-write.js";
import { storeError } from "./store-error.js";

export interface LockOptions {
  /**
   * A lock not refreshed for this long belongs to a dead process and is taken over.
   * Every process sharing a file must use the same value. Minimum 2000 ms.
   */
  staleMs?: number;
  /** Give up waiting (in-process queue + lock file) after this long. */
  timeoutMs?: number;
}

export interface HeldLock {
  /**
   * Aborted if the lock was lost while held (its refresh stalled past the stale
   * window, so another process may have taken it): do not write after that.
   */
  signal: AbortSignal;
}

const DEFAULT_STALE_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_BACKOFF_MS = 250;

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
  let backoff = 5;
  for (;;) {
    try {
      return await lock(key, {
        lockfilePath: lockPath,
        // The target may not exist yet (first login), so it cannot be canonicalized.
        realpath: false,
        stale: staleMs,
        // Refresh the lock's mtime several times per stale window so one slow tick
        // of the event loop does not let another process take a live lock.
        update: Math.max(1000, Math.floor(staleMs / 4)),
        // proper-lockfile's default throws from a timer, crashing the process.
        onCompromised: (error) =>
          lost.abort(storeError(`lost the lock ${lockPath} while holding it; not writing ${key}`, error)),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw storeError(`could not lock ${key}`, error);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw storeError(
        `timed out waiting for lock ${key}; if no other codex-provider process is running, delete ${lockPath}`,
      );
    }
    // Jittered exponential backoff so several waiting processes do not retry in step.
    await sleep(Math.min(remaining, backoff * (0.5 + Math.random())));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}
