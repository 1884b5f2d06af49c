// The response store's files (`responses_store_hours > 0`): one 0600 file per kept
// response under `<state dir>/responses/<scope>/`, read back when the server starts.
//
// A turn that continues a kept response holds the whole conversation as its input, so a
// file per turn holding all of it made each turn cost the whole conversation again (6.5 ms
// of serializing and writing per turn at turn 600 of the bench's conversation). A turn's
// file holds only what the turn added, and names the version of the response it
// continues; loading joins them back. A response that is deleted, evicted or replaced
// while a later turn's file still builds on it stays on disk under a name that is never
// loaded as a response (`<id>~<version>.json`) until no kept file needs it.
//
// Memory leads and the files follow: each key's latest change waits in one queue,
// serialized only when its turn comes, so a burst of answers costs its requests no
// serializing and the backlog never outgrows the store itself (fsync takes ~0.5 ms a file here).
//
// One process at a time owns a scope's directory: load() claims it with a lock held
// until close(). Two servers on one state directory and local key (one per provider,
// say) would each act on their own picture of the files, deleting what the other's
// conversations build on; the second one is refused instead.
import { randomBytes } from "node:crypto";
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type * as Disk from "../auth/store/index.js";
import { messageOf, ProviderError } from "../errors.js";
import { addedCount, joinedBytes, jsonBytes, outputOf } from "./context-parts.js";

type Json = Record<string, unknown>;

/** A kept response as the files see it (the store's entries are these); `version` is set once its file is written. */
export interface FileEntry {
  response: Json;
  /** The whole context: earlier turns expanded in. */
  input: Json[];
  createdAt: number;
  /** Its input's size as JSON, when known. */
  inputBytes?: number;
  /** The version its file was written as: what later turns' files name when they continue it. */
  version?: string;
}

/** One file of a conversation as load() found it: what it adds, and the file it builds on. */
export interface ChainLink {
  /** The file's version key, as `base` names it. */
  key: string;
  /** Its response's size as JSON, and its input's (the items it added, for a turn file). */
  ownBytes: number;
  base?: string;
}

/** A response read back by load(), its input joined back whole. */
interface LoadedEntry extends FileEntry {
  inputBytes: number;
  link: ChainLink;
}

/** What load() read back: the responses, and the files they build on that are no response's. */
export interface Loaded {
  entries: LoadedEntry[];
  bases: ChainLink[];
}

/** A response id that is safe as a file name. */
const ID = "[A-Za-z0-9_-]{1,200}";
/** Response ids that are safe as file names; anything else is never stored. */
export const ID_PATTERN = new RegExp(`^${ID}$`);
/** `<id>.json` (a response) or `<id>~<version>.json` (only what later turns build on). */
const NAME_PATTERN = new RegExp(`^(${ID})(?:~([0-9a-z]{0,40}))?\\.json$`);
/**
 * How long load() waits for another process's claim on a scope: a server that was just
 * stopped lets go within this unless requests keep it draining.
 */
const CLAIM_TIMEOUT_MS = 2_000;
/** Files load() reads at once. */
const READS_AT_ONCE = 32;

/** A file as it is on disk. */
interface FileInfo {
  /** Its name in its scope's directory. */
  name: string;
  /** Files that build on this one. */
  refs: number;
  /** The file it builds on (a version key), if any. */
  base?: string;
  /** Whether it is a kept response's file (else it is kept only for `refs`). */
  entry: boolean;
}

/** A pending change to a key's file: write this entry (continuing `base`, when it does), or delete it. */
type Change = { entry: FileEntry; base?: FileEntry } | typeof DELETE;
const DELETE = Symbol("delete");

/** The fields of a file; exactly one of `input` and (`base`, `added`) is present. */
interface FileText {
  response: Json;
  createdAt: number;
  /** Absent in files written before versions existed: such a file holds its whole input and nothing builds on it. */
  version?: string;
  input?: Json[];
  base?: { id: string; version: string };
  added?: Json[];
}

export class ResponseFiles {
  private readonly pending = new Map<string, Change>();
  /** The key whose change is being made. */
  private current?: string;
  private draining?: Promise<void>;
  /** Version key (`scope/id~version`) → the file. */
  private readonly files = new Map<string, FileInfo>();
  /** `scope/id` → the version key of the file named `<id>.json`. */
  private readonly occupant = new Map<string, string>();
  /** Versions are this process's prefix and a count: unique without a random draw per write. */
  private readonly prefix = randomBytes(4).toString("hex");
  private written = 0;
  /** The scopes this process owns (load() claims one): no file is written or deleted in any other. */
  private readonly claims = new Map<string, Disk.LongHeldLock>();
  /**
   * The store's file primitives (atomic writes, durable renames, locks), loaded with the
   * first claim: every change on disk comes after one, and most servers never persist.
   */
  private disk?: typeof Disk;
  /** Directories with a file deleted since their last sync: synced once the queue is empty. */
  private readonly unsynced = new Set<string>();

  constructor(
    private readonly root: string,
    /** No file larger than this is read. */
    private readonly maxFileBytes: number,
    private readonly onError: (message: string) => void,
  ) {}

  /** Write `entry` as `key`'s file; `base`: the kept response whose context `entry`'s input extends (checked by the caller), if any. */
  write(key: string, entry: FileEntry, base?: FileEntry): void {
    this.pending.set(key, { entry, base });
    this.draining ??= this.drain();
  }

  /** Remove `key`'s file; an entry whose write never started leaves no file behind: its pending write just goes. */
  remove(key: string): void {
    if (!this.occupant.has(key) && this.current !== key) {
      this.pending.delete(key);
      return;
    }
    this.pending.set(key, DELETE);
    this.draining ??= this.drain();
  }

  /** Wait for pending writes and deletions. */
  flush(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  /** Finish pending changes and give up the scopes' claims; nothing is written after. */
  async close(): Promise<void> {
    await this.flush();
    const claims = [...this.claims.values()];
    this.claims.clear();
    await Promise.all(claims.map((claim) => claim.release()));
  }

  /** Take `scope`'s directory for this process, or fail with a config_error naming the process that has it. */
  private async claim(scope: string, dir: string): Promise<void> {
    if (this.claims.has(scope)) return;
    const disk = (this.disk ??= await import("../auth/store/index.js"));
    let claim: Disk.LongHeldLock;
    try {
      claim = await disk.holdFileLock(dir, { timeoutMs: CLAIM_TIMEOUT_MS });
    } catch (error) {
      const holder = await disk.describeLockHolder(dir);
      const why = holder ? `another server keeps its responses there: ${holder}` : messageOf(error);
      throw new ProviderError("config_error", `Could not claim ${dir} for this server's responses (${why}).`, {
        cause: error,
        hint: "Stop that server first, or start this one with --responses-store-hours 0 (its responses then stay in memory). Servers with the same state directory and local key share that directory.",
      });
    }
    this.claims.set(scope, claim);
    // Only after a stall long enough for another host to take the lock over (or its file being removed).
    claim.signal.addEventListener("abort", () => this.onError(`response store: lost the claim on ${dir}; this server's responses are no longer written there`), { once: true });
  }

  /** Whether this process may change `key`'s scope on disk. */
  private owns(key: string): boolean {
    const claim = this.claims.get(split(key)[0]);
    return claim !== undefined && !claim.signal.aborted;
  }

  /**
   * Claim one scope's directory and read back its responses, oldest first, without the
   * expired ones, and the files they build on; files that cannot be read, or build on a
   * file that is gone, are removed, as are files nothing needs and temp files a killed
   * writer left (with the claim held, no other writer can own one).
   */
  async load(scope: string, expired: (createdAt: number) => boolean): Promise<Loaded> {
    const dir = join(this.root, scope);
    await this.claim(scope, dir);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return { entries: [], bases: [] }; // nothing stored yet
    }
    const texts = new Map<string, FileText & { name: string; id: string }>();
    const unwanted: string[] = [];
    const { tempFileTarget } = this.disk!;
    // Read a few dozen at a time: one by one, a 1000-turn conversation took ~300 ms to read back.
    const found = await mapLimited(names, READS_AT_ONCE, async (name) => {
      const match = NAME_PATTERN.exec(name);
      if (match) return { name, match, text: await this.read(join(dir, name)) };
      const target = tempFileTarget(name);
      return { name, orphan: target !== undefined && NAME_PATTERN.test(target) };
    });
    for (const { name, match, text, orphan } of found) {
      if (!match) {
        if (orphan) unwanted.push(name);
        continue;
      }
      const [, id, hidden] = match;
      const version = text?.version ?? "";
      const key = versionKey(scope, id, version);
      if (!text || text.response.id !== id || (hidden !== undefined && hidden !== version) || texts.has(key)) unwanted.push(name);
      else texts.set(key, { ...text, name, id });
    }
    const contexts = new Map<string, { input: Json[]; inputBytes: number; ownBytes: number } | null>();
    const context = (key: string) => {
      // Down to a whole input (or a gap), then joined back up; iterative, as a conversation can be long.
      const chain = new Set<string>();
      for (let at: string | undefined = key; at !== undefined && !contexts.has(at) && !chain.has(at); ) {
        chain.add(at);
        at = baseOf(scope, texts.get(at));
      }
      for (const at of [...chain].reverse()) {
        const text = texts.get(at);
        let joined: { input: Json[]; inputBytes: number; ownBytes: number } | null = null;
        if (text?.input) {
          const inputBytes = jsonBytes(text.input);
          joined = { input: text.input, inputBytes, ownBytes: jsonBytes(text.response) + inputBytes };
        } else if (text?.base && text.added) {
          const baseKey = baseOf(scope, text)!;
          const base = contexts.get(baseKey);
          const output = outputOf(texts.get(baseKey)?.response);
          const added = jsonBytes(text.added);
          if (base) joined = { input: [...base.input, ...output, ...text.added], inputBytes: joinedBytes(joinedBytes(base.inputBytes, jsonBytes(output)), added), ownBytes: jsonBytes(text.response) + added };
        }
        contexts.set(at, joined);
      }
      return contexts.get(key) ?? null;
    };
    const loaded: LoadedEntry[] = [];
    const needed = new Set<string>();
    for (const [key, text] of texts) {
      if (text.name !== `${text.id}.json` || expired(text.createdAt)) continue;
      const whole = context(key);
      if (!whole) continue;
      const link = { key, ownBytes: whole.ownBytes, base: baseOf(scope, text) };
      loaded.push({ response: text.response, input: whole.input, inputBytes: whole.inputBytes, createdAt: text.createdAt, version: text.version, link });
      for (let at: string | undefined = key; at !== undefined && !needed.has(at); ) {
        needed.add(at);
        at = baseOf(scope, texts.get(at));
      }
    }
    const entries = new Set(loaded.map((entry) => entry.link.key));
    const bases: ChainLink[] = [];
    for (const [key, text] of texts) {
      if (!needed.has(key)) {
        unwanted.push(text.name);
        continue;
      }
      const entry = entries.has(key);
      // Every needed file was joined back on the way to a loaded response.
      if (!entry) bases.push({ key, ownBytes: contexts.get(key)!.ownBytes, base: baseOf(scope, text) });
      this.files.set(key, { name: text.name, refs: 0, base: baseOf(scope, text), entry });
      if (text.name === `${text.id}.json`) this.occupant.set(`${scope}/${text.id}`, key);
    }
    // Counted once all are in: a base may come after the files that build on it.
    for (const key of needed) {
      const base = this.files.get(key)?.base;
      if (base) this.files.get(base)!.refs++;
    }
    for (const name of unwanted) await this.unlink(join(dir, name));
    await this.syncDeletions();
    return { entries: loaded.sort((a, b) => a.createdAt - b.createdAt), bases };
  }

  private async read(path: string): Promise<FileText | undefined> {
    try {
      // A file larger than the whole store cannot be one it wrote.
      if ((await stat(path)).size > this.maxFileBytes) return undefined;
      const value: unknown = JSON.parse(await readFile(path, "utf8"));
      return isFileText(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private async drain(): Promise<void> {
    // Changes queued while the deletions are synced get a run of their own.
    do {
      for (let next = this.pending.entries().next(); !next.done; next = this.pending.entries().next()) {
        const [key, change] = next.value;
        this.pending.delete(key);
        if (!this.owns(key)) continue;
        this.current = key;
        try {
          // Deleted, or kept under its version for the files that build on it.
          if (change === DELETE) await this.vacate(key);
          else await this.writeNow(key, change.entry, change.base);
        } catch (error) {
          this.onError(`response store: ${messageOf(error)}`);
        }
      }
      this.current = undefined;
      await this.syncDeletions();
    } while (this.pending.size > 0);
    this.draining = undefined;
  }

  /** A deletion is undone by a power loss until its directory is synced: once per directory, after a run of changes. */
  private async syncDeletions(): Promise<void> {
    if (this.unsynced.size === 0) return;
    for (const dir of this.unsynced) {
      this.unsynced.delete(dir);
      await this.disk!.syncDirectory(dir, "deleted files").catch((error: unknown) => this.onError(`response store: ${messageOf(error)}`));
    }
  }

  private async writeNow(key: string, entry: FileEntry, base: FileEntry | undefined): Promise<void> {
    const [scope, id] = split(key);
    const baseId = base && String(base.response.id);
    // The base's file as it was written, if it is still on disk (under either name).
    const baseKey = base?.version === undefined ? undefined : versionKey(scope, baseId!, base.version);
    const reserved = baseKey !== undefined && this.files.has(baseKey) ? baseKey : undefined;
    // Counted first, so that letting go of the file this one replaces (its base, when a
    // response continues one with its own id) cannot remove its base.
    if (reserved) this.files.get(reserved)!.refs++;
    try {
      await this.vacate(key);
      const version = `${this.prefix}${(++this.written).toString(36)}`;
      const { response, createdAt } = entry;
      const text: FileText = reserved
        ? { response, createdAt, version, base: { id: baseId!, version: base!.version! }, added: entry.input.slice(entry.input.length - addedCount(entry.input, base!)) }
        : { response, createdAt, version, input: entry.input };
      await this.disk!.writeFileAtomic(join(this.root, scope, `${id}.json`), JSON.stringify(text), { mode: 0o600 });
      // Its directory was synced, deletions before it included.
      this.unsynced.delete(join(this.root, scope));
      entry.version = version;
      const written = versionKey(scope, id, version);
      this.files.set(written, { name: `${id}.json`, refs: 0, base: reserved, entry: true });
      this.occupant.set(key, written);
    } catch (error) {
      await this.release(reserved);
      throw error;
    }
  }

  /** Free `<id>.json`: a file that others build on moves to `<id>~<version>.json`; any other is deleted. */
  private async vacate(key: string): Promise<void> {
    const at = this.occupant.get(key);
    if (at === undefined) return;
    this.occupant.delete(key);
    const info = this.files.get(at)!;
    info.entry = false;
    const [scope, id] = split(key);
    const dir = join(this.root, scope);
    if (info.refs > 0) {
      const hidden = `${id}~${at.slice(at.lastIndexOf("~") + 1)}.json`;
      await this.disk!.renameDurable(join(dir, info.name), join(dir, hidden));
      this.unsynced.delete(dir);
      info.name = hidden;
      return;
    }
    this.files.delete(at);
    await this.unlink(join(dir, info.name));
    await this.release(info.base);
  }

  /** One file less builds on `key`: a file that is no response's and that nothing else needs goes, and so on down its chain. */
  private async release(key: string | undefined): Promise<void> {
    for (let at = key; at !== undefined; ) {
      const info = this.files.get(at);
      if (!info || --info.refs > 0 || info.entry) return;
      this.files.delete(at);
      const [scope, id] = split(at.slice(0, at.lastIndexOf("~")));
      if (this.occupant.get(`${scope}/${id}`) === at) this.occupant.delete(`${scope}/${id}`);
      await this.unlink(join(this.root, scope, info.name));
      at = info.base;
    }
  }

  private async unlink(path: string): Promise<void> {
    await unlink(path).then(
      () => this.unsynced.add(dirname(path)),
      (error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") this.onError(`response store: could not delete ${path} (${error.code})`);
      },
    );
  }
}

/** `fn` over `items`, at most `limit` at a time; the results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let at = next++; at < items.length; at = next++) results[at] = await fn(items[at]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The key of one version of a response's file: `scope/id~version`. */
function versionKey(scope: string, id: string, version: string): string {
  return `${scope}/${id}~${version}`;
}

/** The version key of the file `text` builds on, if it builds on one. */
function baseOf(scope: string, text: FileText | undefined): string | undefined {
  return text?.base && versionKey(scope, text.base.id, text.base.version);
}

function split(key: string): [scope: string, id: string] {
  const slash = key.indexOf("/");
  return [key.slice(0, slash), key.slice(slash + 1)];
}

function isItems(value: unknown): value is Json[] {
  return Array.isArray(value) && value.every((item) => !!item && typeof item === "object");
}

function isFileText(value: unknown): value is FileText {
  if (!value || typeof value !== "object") return false;
  const text = value as Partial<FileText>;
  const whole = isItems(text.input) && text.base === undefined && text.added === undefined;
  const added =
    text.input === undefined &&
    !!text.base &&
    typeof text.base.id === "string" &&
    ID_PATTERN.test(text.base.id) &&
    typeof text.base.version === "string" &&
    isItems(text.added);
  return (
    !!text.response &&
    typeof text.response === "object" &&
    typeof text.response.id === "string" &&
    typeof text.createdAt === "number" &&
    (text.version === undefined || (typeof text.version === "string" && /^[0-9a-z]{1,40}$/.test(text.version))) &&
    (whole || (added && text.version !== undefined))
  );
}
