// The responses this server produced, kept so `previous_response_id` and
// `GET/DELETE /v1/responses/{id}` work in front of upstreams that store nothing (the
// ChatGPT-plan paths force `store: false`, docs/protocol.md#siwc-inference). Bounded by
// count and bytes, least recently used out first. Every entry belongs to a scope (a hash
// of the local key that created it) and is invisible from any other scope. Optionally each
// entry is also a 0600 file under `<state dir>/responses/<scope>/`, read back at start
// and dropped after the retention time. The files trail memory: each key's latest change
// waits in one queue, serialized only when its turn comes, so a burst of answers costs
// its requests no serializing and the backlog never outgrows the store itself.
import { createHash } from "node:crypto";
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

type Json = Record<string, unknown>;

export interface StoredResponse {
  /** The response object as the client received it. */
  response: Json;
  /** Everything the model saw as input for this turn (earlier turns expanded in). */
  input: Json[];
  /** When it was stored (ms since epoch); retention counts from here. */
  createdAt: number;
}

export interface ResponseStoreLimits {
  /** Most responses kept; 0 keeps none. */
  maxEntries: number;
  /** Most bytes kept (serialized JSON, or the upstream text a response was parsed from); an entry larger than this is not kept. */
  maxBytes: number;
  /** Keep responses on disk this long (hours); 0 keeps them in memory only. */
  retentionHours: number;
}

export const DEFAULT_RESPONSE_STORE_LIMITS: ResponseStoreLimits = { maxEntries: 1000, maxBytes: 64 * 1024 * 1024, retentionHours: 0 };

/** Response ids that are safe as file names; anything else is never stored. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;
const HOUR_MS = 3_600_000;
/** Bytes a held entry adds to its response and input when serialized: the field names and `createdAt`. */
const ENTRY_OVERHEAD = 64;
/** How often a put also drops expired entries, so a long-running server keeps no file past its retention. */
const SWEEP_EVERY_MS = 60_000;
/** A pending file change that removes the file. */
const DELETE = Symbol("delete");

/** The scope of a local key: a hash, so neither memory nor file names hold the key. */
export function keyScope(localKey: string): string {
  return createHash("sha256").update(`codex-provider responses\0${localKey}`, "utf8").digest("hex").slice(0, 32);
}

/** A kept response as get() gives it back. */
export interface HeldResponse extends StoredResponse {
  /** Its input's size as JSON, when put() knew or counted it (a follow-up adds to it rather than serializing the whole context again). */
  readonly inputBytes?: number;
}

interface Held extends HeldResponse {
  bytes: number;
}

/** What put() keeps: a response, its input, and what the caller already knows of the response's size. */
export interface NewResponse extends Omit<StoredResponse, "createdAt"> {
  /**
   * At least the response's size as JSON, from the text it was parsed from (a relay has the
   * upstream's event bytes): counted instead of serializing the response. The parsed
   * object's memory grows with its source text as it does with its serialized form, so
   * the byte limit stays a limit on what is held.
   */
  responseBytes?: number;
  /**
   * The input's size as JSON, when the caller knows it: a continued conversation's input
   * is the earlier turns' plus the new items, counted from the earlier entry's sizes
   * (conversation.ts) instead of serializing a context that grows with every turn.
   */
  inputBytes?: number;
}

/** `value`'s size as JSON, in bytes. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

export class ResponseStore {
  /** `scope/id` → entry; Map order is recency (oldest first). */
  private readonly entries = new Map<string, Held>();
  private bytes = 0;
  private lastSweep = 0;
  /**
   * `scope/id` → the file change still to make: the entry to write, or DELETE. One per key,
   * the latest winning, so the backlog is bounded by the entries and files the store has,
   * however fast answers arrive (fsync takes ~0.5 ms a file here).
   */
  private readonly pending = new Map<string, Held | typeof DELETE>();
  /** Keys whose file exists or is being written: only these need a delete. */
  private readonly files = new Set<string>();
  /** The running drain of `pending`, one change at a time, so a delete never races the write before it. */
  private draining?: Promise<void>;

  constructor(
    private readonly limits: ResponseStoreLimits,
    /** The state directory when `retentionHours > 0`. */
    private readonly home?: string,
    /** Persistence failures (the answer to the client does not depend on them). */
    private readonly onError: (message: string) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  private get persistent(): boolean {
    return this.limits.retentionHours > 0 && this.home !== undefined;
  }

  get(scope: string, id: string): HeldResponse | undefined {
    const key = `${scope}/${id}`;
    const held = this.entries.get(key);
    if (!held) return undefined;
    if (this.expired(held)) {
      this.remove(key);
      return undefined;
    }
    // Touch: move to the most recent end.
    this.entries.delete(key);
    this.entries.set(key, held);
    return held;
  }

  /** Keep a response; false when it cannot be kept (odd id, larger than the byte limit, store off). */
  put(scope: string, entry: NewResponse, createdAt = this.now()): boolean {
    const id = entry.response.id;
    if (typeof id !== "string" || !ID_PATTERN.test(id) || this.limits.maxEntries === 0) return false;
    // Built field by field rather than spread: this runs once per answered request.
    const { response, input, responseBytes } = entry;
    // A known response size spares serializing the response (~12 µs for a short answer) just to count it.
    let inputBytes = entry.inputBytes;
    const bytes = responseBytes === undefined ? jsonBytes({ response, input, createdAt } satisfies StoredResponse) : responseBytes + (inputBytes ??= jsonBytes(input)) + ENTRY_OVERHEAD;
    if (bytes > this.limits.maxBytes) return false;
    const key = `${scope}/${id}`;
    this.remove(key);
    const held: Held = { response, input, createdAt, bytes, inputBytes };
    this.entries.set(key, held);
    this.bytes += bytes;
    this.sweep();
    this.evict();
    if (this.persistent && this.entries.has(key)) this.onDisk(key, held);
    return true;
  }

  delete(scope: string, id: string): boolean {
    const key = `${scope}/${id}`;
    if (!this.entries.has(key)) return false;
    this.remove(key);
    return true;
  }

  /** Wait for pending file writes and deletions (tests, server close). */
  flush(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  /** Read back one scope's files (at server start), dropping expired and unreadable ones. */
  async load(scope: string): Promise<void> {
    if (!this.persistent) return;
    const dir = this.dir(scope);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return; // nothing stored yet
    }
    const loaded: StoredResponse[] = [];
    for (const name of names) {
      const id = name.endsWith(".json") ? name.slice(0, -".json".length) : "";
      if (!ID_PATTERN.test(id)) continue;
      const entry = await this.readEntry(join(dir, name));
      this.files.add(`${scope}/${id}`);
      if (entry && entry.response.id === id && !this.expired(entry)) loaded.push(entry);
      else this.onDisk(`${scope}/${id}`, DELETE);
    }
    // Oldest first, so the most recent survive the limits.
    loaded.sort((a, b) => a.createdAt - b.createdAt);
    for (const entry of loaded) {
      const key = `${scope}/${String(entry.response.id)}`;
      const bytes = jsonBytes(entry);
      this.entries.set(key, { ...entry, bytes });
      this.bytes += bytes;
    }
    this.evict();
  }

  private async readEntry(path: string): Promise<StoredResponse | undefined> {
    try {
      // A file larger than the whole store cannot be an entry it wrote.
      if ((await stat(path)).size > this.limits.maxBytes) return undefined;
      const value: unknown = JSON.parse(await readFile(path, "utf8"));
      return isStoredResponse(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private expired(entry: StoredResponse): boolean {
    return this.persistent && this.now() - entry.createdAt > this.limits.retentionHours * HOUR_MS;
  }

  private sweep(): void {
    if (!this.persistent || this.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = this.now();
    for (const [key, held] of this.entries) if (this.expired(held)) this.remove(key);
  }

  private evict(): void {
    // The usual put evicts nothing: no iterator for it.
    if (this.withinLimits()) return;
    for (const key of this.entries.keys()) {
      this.remove(key);
      if (this.withinLimits()) return;
    }
  }

  private withinLimits(): boolean {
    return this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes;
  }

  /** Forget `scope/id` (a key), and its file. */
  private remove(key: string): void {
    const held = this.entries.get(key);
    if (!held) return;
    this.entries.delete(key);
    this.bytes -= held.bytes;
    if (!this.persistent) return;
    // An entry whose write never started leaves no file behind: its pending write just goes.
    if (this.files.has(key)) this.onDisk(key, DELETE);
    else this.pending.delete(key);
  }

  private dir(scope: string): string {
    return join(this.home!, "responses", scope);
  }

  /** Make `change` the next one for `key`'s file, replacing any not yet started. */
  private onDisk(key: string, change: Held | typeof DELETE): void {
    this.pending.set(key, change);
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    for (let next = this.pending.entries().next(); !next.done; next = this.pending.entries().next()) {
      const [key, change] = next.value;
      this.pending.delete(key);
      const slash = key.indexOf("/");
      const path = join(this.dir(key.slice(0, slash)), `${key.slice(slash + 1)}.json`);
      try {
        if (change === DELETE) {
          await unlink(path).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : Promise.reject(error)));
          // A write queued meanwhile adds it back when it starts.
          this.files.delete(key);
        } else {
          this.files.add(key);
          const text = JSON.stringify({ response: change.response, input: change.input, createdAt: change.createdAt } satisfies StoredResponse);
          // Loaded on first use: most servers never persist.
          const { writeFileAtomic } = await import("../auth/store/index.js");
          await writeFileAtomic(path, text, { mode: 0o600 });
        }
      } catch (error) {
        this.onError(`response store: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.draining = undefined;
  }
}

function isStoredResponse(value: unknown): value is StoredResponse {
  if (!value || typeof value !== "object") return false;
  const entry = value as Partial<StoredResponse>;
  return (
    !!entry.response &&
    typeof entry.response === "object" &&
    typeof entry.response.id === "string" &&
    Array.isArray(entry.input) &&
    entry.input.every((item) => !!item && typeof item === "object") &&
    typeof entry.createdAt === "number"
  );
}
