// Crash-safe file replacement: a reader (or a process that restarts after a crash)
// sees either the old file or the new one, never a torn mix.
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { storeError } from "./store-error.js";

export interface AtomicWriteOptions {
  /** Final file mode; the temp file has it from the moment it exists. */
  mode?: number;
}

// Windows has no POSIX modes and cannot fsync a directory handle.
const isWindows = process.platform === "win32";

/** Create `dir` (and missing parents) owner-only. An existing directory is left as is. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw storeError(`could not create directory ${dir}`, error);
  }
}

/** Write `data` to `path` via temp file + fsync + rename + directory fsync. */
export async function writeFileAtomic(path: string, data: string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  await ensurePrivateDir(dir);
  // Same directory so the rename stays on one filesystem and is atomic; the leading
  // dot and `.tmp` keep it out of listings and let `removeTempFiles` find orphans.
  const temp = join(dir, `${tempPrefix(path)}${randomBytes(TEMP_RANDOM_BYTES).toString("hex")}.tmp`);
  try {
    // `wx` refuses to follow a planted file or symlink; the mode is set at creation
    // so the secret is never readable by others, and fchmod undoes a stricter umask.
    const handle = await open(temp, "wx", mode);
    try {
      if (!isWindows) await handle.chmod(mode);
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw storeError(`could not write ${path}`, error);
  }
  // Persist the rename itself; without this a power loss can resurrect the old file.
  await syncDirectory(dir, `wrote ${path}`);
}

/** Rename `from` to `to` (same directory) so that a power loss cannot undo it. */
export async function renameDurable(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    throw storeError(`could not rename ${from}`, error);
  }
  await syncDirectory(dirname(to), `renamed ${from}`);
}

/** Make the changes to `dir`'s entries so far (files created, renamed, deleted) survive a power loss; `done` says what was done, for the error. */
export async function syncDirectory(dir: string, done: string): Promise<void> {
  if (isWindows) return;
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw storeError(`${done} but could not sync its directory`, error);
  }
}

/**
 * Delete temp files a crashed writer left next to `path`. Call only while holding
 * `path`'s lock: then no live writer can own one of them.
 */
export async function removeTempFiles(path: string): Promise<void> {
  const target = basename(path);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return;
  }
  const orphans = names.filter((name) => tempFileTarget(name) === target);
  await Promise.all(orphans.map((name) => unlink(join(dirname(path), name)).catch(() => undefined)));
}

function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/** Random bytes in a temp file's name (as hex). */
const TEMP_RANDOM_BYTES = 6;
const TEMP_NAME = new RegExp(`^\\.(.+)\\.[0-9a-f]{${TEMP_RANDOM_BYTES * 2}}\\.tmp$`);

/** The name of the file that `name`, a temp file of writeFileAtomic's, was written for; undefined for any other name. */
export function tempFileTarget(name: string): string | undefined {
  return TEMP_NAME.exec(name)?.[1];
}
