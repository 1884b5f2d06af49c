// StrictModes for the state directory, in the manner of OpenSSH: before credentials
// or config.toml are trusted, the paths that hold them must belong to the current
// user (or root) and be writable by no one else. Otherwise another local user could
// point `api_url` at their own server, swap `credentials/`, or hold the lock forever.
// Refusals are `config_error` (exit 2) and say how to fix the modes.
import { chmodSync, lstatSync, realpathSync, statSync, type Stats } from "node:fs";
import { ProviderError } from "../errors.js";
import type { NoticeHandler } from "../notice.js";

// Windows has no POSIX owners or modes; the checks do not apply there.
const uid = process.getuid?.();

export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

function quote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}

/** A refusal: what is unsafe about `path` and the command that fixes it. */
export function unsafePathError(message: string, hint: string): ProviderError {
  return new ProviderError("config_error", message, { hint });
}

/**
 * Refuse `stats` (of `path`, described as `what`) unless the current user or root
 * owns it and neither group nor others may write to it. `shown` names the path in
 * messages when it differs (a symlink and its target).
 */
export function requireOwnedAndProtected(path: string, stats: Stats, what: string, shown = path): void {
  if (uid === undefined) return;
  if (stats.uid !== uid && stats.uid !== 0) {
    throw unsafePathError(
      `${shown} (${what}) is owned by uid ${stats.uid}, not by you (uid ${uid}); codex-provider does not trust it`,
      `If it is yours, take it back: chown ${uid} ${quote(path)}; otherwise set CODEX_PROVIDER_HOME to a directory only you own.`,
    );
  }
  if ((stats.mode & 0o022) !== 0) {
    const who = (stats.mode & 0o020) !== 0 ? ((stats.mode & 0o002) !== 0 ? "group and others" : "its group") : "others";
    throw unsafePathError(
      `${shown} (${what}) is writable by ${who} (mode ${octal(stats.mode)}); codex-provider does not trust it`,
      `Remove the write access: chmod go-w ${quote(path)}`,
    );
  }
}

/**
 * Check the state directory. A symlinked state directory is allowed when its target
 * passes. A missing directory passes: it is created owner-only.
 */
export function checkStateHome(home: string): void {
  if (uid === undefined) return;
  let link: Stats;
  try {
    link = lstatSync(home);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw unsafePathError(`cannot inspect the state directory ${home} (${(error as NodeJS.ErrnoException).code})`, "Check that the path exists and is yours.");
  }
  if (!link.isSymbolicLink()) {
    requireDirectory(home, link);
    requireOwnedAndProtected(home, link, "the state directory");
    return;
  }
  const target = realpathOrDangling(home);
  let stats: Stats;
  try {
    stats = statSync(target);
  } catch {
    throw unsafePathError(`the state directory ${home} is a symbolic link to ${target}`, `Point it at an existing directory that only you own, or remove it: rm ${quote(home)}`);
  }
  requireDirectory(`${home} -> ${target}`, stats);
  requireOwnedAndProtected(target, stats, "the state directory", `${home} -> ${target}`);
}

/** A file where the state directory should be: name it, not config.toml or credentials/ inside it. */
function requireDirectory(shown: string, stats: Stats): void {
  if (stats.isDirectory()) return;
  throw unsafePathError(
    `the state directory ${shown} is not a directory`,
    "Set CODEX_PROVIDER_HOME to a directory (it is created on first sign-in), or move the file away.",
  );
}

/**
 * Check a directory that holds secrets (`credentials/`): a real directory, owned and
 * protected; read or search access for others is removed with a warning notice. Returns
 * false when it does not exist yet.
 */
export function checkPrivateDir(dir: string, onNotice?: NoticeHandler): boolean {
  if (uid === undefined) return true;
  let stats: Stats;
  try {
    stats = lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw unsafePathError(`cannot inspect ${dir} (${(error as NodeJS.ErrnoException).code})`, "Check that the path exists and is yours.");
  }
  if (stats.isSymbolicLink()) {
    // Tightening or writing through the link would act outside the state directory.
    throw unsafePathError(
      `${dir} is a symbolic link to ${realpathOrDangling(dir)}; the credentials directory must be a real directory`,
      `Replace the link with a directory: rm ${quote(dir)} && mkdir -m 700 ${quote(dir)}, then sign in again (or move the files in).`,
    );
  }
  if (!stats.isDirectory()) {
    throw unsafePathError(`${dir} is not a directory`, `Move it out of the way: mv ${quote(dir)} ${quote(`${dir}.old`)}`);
  }
  requireOwnedAndProtected(dir, stats, "the credentials directory");
  if ((stats.mode & 0o077) !== 0) {
    chmodSync(dir, 0o700);
    onNotice?.({ code: "warning", message: `tightened ${dir} from mode ${octal(stats.mode)} to 0700: it holds your credentials` });
  }
  return true;
}

function realpathOrDangling(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return "a missing target";
  }
}
