// Who holds a lock: the record a lock carries (pid, host, process start, time) and the
// test that decides whether that holder is still running. A holder on this host is
// checked directly, so a crashed writer's lock is broken at once instead of after a
// stale window; only a holder on another host must be judged by the lock's age.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken, for messages. */
  since: string;
  /**
   * The process's start time in clock ticks since boot (Linux /proc), so a pid reused
   * by an unrelated process is not mistaken for the holder. Absent elsewhere.
   */
  processStart?: string;
  /** Unique per acquisition: a holder recognises its own lock by it. */
  nonce: string;
}

export type HolderState = "running" | "gone" | "other-host";

const ownStart = procStat(process.pid)?.start;

export function currentHolder(): LockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(ownStart === undefined ? {} : { processStart: ownStart }),
    nonce: randomBytes(8).toString("hex"),
  };
}

export function encodeHolder(holder: LockHolder): string {
  return JSON.stringify(holder);
}

/** The record, or undefined when the text is not one (e.g. a lock from an older version). */
export function decodeHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (!Number.isSafeInteger(record.pid) || (record.pid as number) <= 0) return undefined;
  if (typeof record.host !== "string" || typeof record.since !== "string" || typeof record.nonce !== "string") return undefined;
  if (record.processStart !== undefined && typeof record.processStart !== "string") return undefined;
  return record as unknown as LockHolder;
}

export function holderState(holder: LockHolder): HolderState {
  if (holder.host !== hostname()) return "other-host";
  try {
    // Signal 0 checks existence only; EPERM means it exists under another uid.
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return "gone";
  }
  const proc = procStat(holder.pid);
  // A killed process stays a zombie until its parent reaps it: it holds nothing.
  if (proc?.state === "Z") return "gone";
  if (holder.processStart !== undefined && proc && proc.start !== holder.processStart) return "gone"; // pid reused
  return "running";
}

export function describeHolder(holder: LockHolder): string {
  return holder.host === hostname()
    ? `process ${holder.pid} on this host (since ${holder.since})`
    : `process ${holder.pid} on host ${holder.host} (since ${holder.since})`;
}

/** State (field 3) and start time (field 22) from /proc/<pid>/stat; undefined where there is no /proc. */
function procStat(pid: number): { state: string; start: string } | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], start: fields[19] };
  } catch {
    return undefined;
  }
}
