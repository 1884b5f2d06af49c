// The only code that reads or writes credential files: one JSON file per profile
// under `<home>/credentials/`, mode 0600, replaced atomically under a lock.
import { constants } from "node:fs";
import { chmod, mkdir, open, readdir, readlink, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ProviderError } from "../../errors.js";
import { credentialsDir } from "../../config/paths.js";
import {
  checkPrivateDir,
  checkStateHome,
  octal,
  requireOwnedAndProtected,
  unsafePathError,
} from "../../config/state-permissions.js";
import type { NoticeHandler } from "../../notice.js";
import { emptyProfile, type ProfileData } from "../credential.js";
import type { HeldLock, LockOptions } from "./lock.js";
import { profileProblem, registerProfileSecrets } from "./profile-schema.js";
import { storeError } from "./store-error.js";

export interface CredentialStoreOptions {
  /** State directory (CODEX_PROVIDER_HOME). */
  home: string;
  /** Lock timing; every process sharing `home` must use the same `staleMs`. */
  lock?: LockOptions;
  /** Told with a one-line `warning` notice when a too-open mode on the store was tightened. */
  onNotice?: NoticeHandler;
}

export interface ModifyOptions {
  /**
   * For fresh logins: a corrupt file is renamed to `<file>.corrupt-<its mtime>` and
   * the profile starts empty, instead of `modify` throwing.
   */
  recoverCorrupt?: boolean;
  /** Told the backup path after a corrupt file was moved aside and replaced. */
  onRecovered?: (backupPath: string) => void;
}

const PROFILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
const isWindows = process.platform === "win32";
// Opening a credential never follows a symlink (no such flag on Windows).
const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

type Loaded =
  | { kind: "missing" }
  | { kind: "ok"; data: ProfileData }
  | { kind: "corrupt"; problem: string; backup: string };

export class CredentialStore {
  readonly #home: string;
  readonly #lock: LockOptions;
  readonly #onNotice: NoticeHandler | undefined;
  /** The directories passed the checks; only their owner could change that since. */
  #dirsChecked = false;

  constructor(options: CredentialStoreOptions) {
    this.#home = options.home;
    this.#lock = options.lock ?? {};
    this.#onNotice = options.onNotice;
  }

  /** StrictModes on the state directory and `credentials/` before trusting either. */
  #checkDirs(): void {
    if (this.#dirsChecked) return;
    checkStateHome(this.#home);
    this.#dirsChecked = checkPrivateDir(credentialsDir(this.#home), this.#onNotice);
  }

  filePath(profile: string): string {
    if (!PROFILE_NAME.test(profile)) {
      throw new ProviderError(
        "config_error",
        `invalid profile name ${JSON.stringify(profile.slice(0, 80))}: use 1-64 letters, digits, '.', '_' or '-', not starting with '.'`,
      );
    }
    return join(credentialsDir(this.#home), `${profile}.json`);
  }

  /**
   * The profile as stored, or an empty profile when there is no file. Lock-free:
   * writers replace the file by rename, so a reader always sees a whole file.
   */
  async read(profile: string): Promise<ProfileData> {
    const file = this.filePath(profile);
    this.#checkDirs();
    const loaded = await loadProfile(file, this.#onNotice);
    if (loaded.kind === "corrupt") throw corruptError(file, loaded);
    return loaded.kind === "ok" ? loaded.data : emptyProfile();
  }

  /**
   * Serialized read-modify-write: in-process queue + cross-process lock; `fn` gets a
   * fresh copy re-read inside the lock and may mutate it in place; the file is
   * written (atomically) only if the JSON changed. Returns fn's result. If fn
   * throws, nothing is written; nor if the lock is lost while fn runs, which aborts
   * the `HeldLock` signal fn is given (long work may stop there). Do not call
   * `modify` for the same profile from inside `fn` (that throws rather than deadlocking).
   */
  async modify<T>(
    profile: string,
    fn: (data: ProfileData, lock: HeldLock) => T | Promise<T>,
    options: ModifyOptions = {},
  ): Promise<T> {
    const file = this.filePath(profile);
    this.#checkDirs();
    // Loaded for writes only: reading a profile (every command that uses a stored
    // credential) then needs neither, nor node:crypto, node:os and the timers they load.
    const [{ withFileLock }, { removeTempFiles, writeFileAtomic }] = await Promise.all([import("./lock.js"), import("./atomic-write.js")]);
    return withFileLock(
      file,
      async ({ signal }) => {
        // Holding the lock, any temp file for this profile is a crashed writer's.
        await removeTempFiles(file);
        const loaded = await loadProfile(file, this.#onNotice);
        if (loaded.kind === "corrupt" && !options.recoverCorrupt) throw corruptError(file, loaded);
        const data = loaded.kind === "ok" ? loaded.data : emptyProfile();
        const before = loaded.kind === "corrupt" ? undefined : serialize(data);

        const result = await fn(data, { signal });

        const after = serialize(data);
        if (after === before) return result;
        const problem = profileProblem(JSON.parse(after));
        if (problem) throw storeError(`refusing to write ${file}: the updated profile ${problem}`);
        registerProfileSecrets(data);
        signal.throwIfAborted();
        const backup = loaded.kind === "corrupt" ? await moveAside(file, loaded.backup) : undefined;
        await writeFileAtomic(file, after);
        if (backup) options.onRecovered?.(backup);
        return result;
      },
      this.#lock,
    );
  }

  /**
   * Proves now that `profile` could be saved: the directories exist (created
   * owner-only), pass their checks, and take a new file. A sign-in calls this before
   * it shows the user anything, so an approved login is never lost to a directory
   * that cannot be written.
   */
  async checkWritable(profile: string): Promise<void> {
    const file = this.filePath(profile);
    const dir = credentialsDir(this.#home);
    const hint = "Make it a directory you own and can write, or set CODEX_PROVIDER_HOME to one.";
    this.#checkDirs();
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw storeError(`cannot create ${dir}`, error, hint);
    }
    this.#checkDirs();
    // Not a `.json` name, so listProfiles never shows it even if a crash leaves it.
    const probe = `${file}.writable-${process.pid}`;
    try {
      await (await open(probe, "wx", 0o600)).close();
      await unlink(probe);
    } catch (error) {
      throw storeError(`cannot write in ${dir}`, error, hint);
    }
  }

  /** Names of the profiles that have a credential file, sorted. */
  async listProfiles(): Promise<string[]> {
    const dir = credentialsDir(this.#home);
    this.#checkDirs();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw storeError(`could not list ${dir}`, error);
    }
    return names
      .filter((name) => name.endsWith(".json"))
      .map((name) => name.slice(0, -".json".length))
      .filter((name) => PROFILE_NAME.test(name))
      .sort();
  }
}

function serialize(data: ProfileData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

async function loadProfile(file: string, onNotice: NoticeHandler | undefined): Promise<Loaded> {
  let text: string;
  let modified: Date;
  try {
    const handle = await open(file, READ_NO_FOLLOW);
    try {
      // Checked on the open file, so what is checked is what is read.
      const stat = await handle.stat();
      if (!stat.isFile()) throw storeError(`${file} is not a regular file; move it out of the way`);
      requireOwnedAndProtected(file, stat, "a credential file");
      // The file holds bearer tokens; a copy or another tool may have widened its
      // mode. Tighten it so the exposure ends now.
      if (!isWindows && (stat.mode & 0o077) !== 0) {
        await handle.chmod(0o600);
        onNotice?.({ code: "warning", message: `tightened ${file} from mode ${octal(stat.mode)} to 0600: it holds your credentials` });
      }
      modified = stat.mtime;
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "missing" };
    if (code === "ELOOP") throw await symlinkError(file);
    throw storeError(`could not read ${file}`, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message can quote file contents, i.e. tokens: report no detail.
    return { kind: "corrupt", problem: text.trim() === "" ? "is empty" : "is not valid JSON", backup: backupName(file, modified) };
  }
  const problem = profileProblem(value);
  if (problem) return { kind: "corrupt", problem, backup: backupName(file, modified) };
  const data = value as ProfileData;
  registerProfileSecrets(data);
  return { kind: "ok", data };
}

/** A symlinked credential names both paths; it is neither read nor changed. */
async function symlinkError(file: string): Promise<ProviderError> {
  const target = await readlink(file).catch(() => "an unreadable target");
  return unsafePathError(
    `credential file ${file} is a symbolic link to ${target}; codex-provider reads credentials only from regular files it wrote`,
    `Remove the link (rm '${file}') and sign in again; if ${target} is your credential file, move it in place of the link.`,
  );
}

function corruptError(file: string, corrupt: { problem: string; backup: string }): ProviderError {
  return storeError(
    `credential file ${file} ${corrupt.problem}; it was left unchanged`,
    undefined,
    `fix the file, or sign in again to replace it (the damaged file is then kept as ${corrupt.backup})`,
  );
}

/**
 * Named for when the damaged file was last written, so the error that reports it can
 * name the backup before a sign-in makes it. No ':' (not allowed in Windows names).
 */
function backupName(file: string, modified: Date): string {
  return `${file}.corrupt-${modified.toISOString().replaceAll(":", "-")}`;
}

/** Keep a corrupt file's bytes for the user before it is replaced. */
async function moveAside(file: string, backup: string): Promise<string> {
  try {
    await rename(file, backup);
    if (!isWindows) await chmod(backup, 0o600);
  } catch (error) {
    throw storeError(`could not move the corrupt file ${file} aside`, error);
  }
  return backup;
}
