// The lock file itself: `<file>.lock` (and the break locks next to it) is a symbolic
// link whose target text is the holder record. Creating a symlink is atomic and fails
// with EEXIST if one exists, so the record is there from the first instant (the scheme
// Emacs uses for its lock files).
import { lstat, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { decodeHolder, type LockHolder } from "./lock-holder.js";
import { storeError } from "./store-error.js";

export type Observed =
  | { kind: "absent" }
  | { kind: "held"; raw: string; holder: LockHolder | undefined; ageMs: number };

const isWindows = process.platform === "win32";

// Windows creates symlinks only with extra privileges: there the lock is a file
// created exclusively, with the record written just after.
export async function createLock(lockPath: string, record: string): Promise<void> {
  if (isWindows) await writeFile(lockPath, record, { flag: "wx", mode: 0o600 });
  else await symlink(record, lockPath);
}

export async function readLock(lockPath: string): Promise<string> {
  return isWindows ? readFile(lockPath, "utf8") : readlink(lockPath);
}

export async function observe(lockPath: string): Promise<Observed> {
  let mtimeMs: number;
  try {
    mtimeMs = (await lstat(lockPath)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "absent" };
    throw storeError(`could not inspect lock ${lockPath}`, error);
  }
  // Not a link (EINVAL): a lock directory from an older codex-provider, judged by age.
  const raw = await readLock(lockPath).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : ""));
  if (raw === undefined) return { kind: "absent" };
  return { kind: "held", raw, holder: decodeHolder(raw), ageMs: Date.now() - mtimeMs };
}
