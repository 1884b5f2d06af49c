// The responses this server produced, kept so `previous_response_id` and
// `GET/DELETE /v1/responses/{id}` work in front of upstreams that store nothing (the
// ChatGPT-plan paths force `store: false`, docs/protocol.md#siwc-inference). Bounded by
// count and bytes, least recently used out first. A conversation's turns share their
// context (a follow-up's input is the earlier turns' items, the same objects), so each is
// counted for what it adds, and a turn's count stays while a kept later turn still holds
// its items. Every entry belongs to a scope (a hash
// of the local key that created it) and is invisible from any other scope. Optionally each
// entry is also a 0600 file under `<state dir>/responses/<scope>/` (response-files.ts),
// read back at start and dropped after the retention time.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DeferredJson } from "../transport/deferred-json.js";
import { extendsContext, jsonBytes } from "./context-parts.js";
import { ID_PATTERN, ResponseFiles, type ChainLink, type FileEntry } from "./response-files.js";

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
  /** Most bytes kept (serialized JSON, or the text a response or input was parsed from); an entry larger than this is not kept. */
  maxBytes: number;
  /** Keep responses on disk this long (hours); 0 keeps them in memory only. */
  retentionHours: number;
}

export const DEFAULT_RESPONSE_STORE_LIMITS: ResponseStoreLimits = { maxEntries: 1000, maxBytes: 64 * 1024 * 1024, retentionHours: 0 };

const HOUR_MS = 3_600_000;
/** Bytes a held entry adds to its response and input when serialized: the field names and `createdAt`. */
const ENTRY_OVERHEAD = 64;
/** The rest of `{"response":…,"input":…,"createdAt":…}` beside its three values. */
const ENTRY_FIELDS_BYTES = '{"response":,"input":,"createdAt":}'.length;
/** What a held entry's own context array costs per item (a pointer; the items are counted where they were added). */
const ITEM_BYTES = 8;
/** How often a put also drops expired entries, so a long-running server keeps no file past its retention. */
const SWEEP_EVERY_MS = 60_000;

/** The scope of a local key: a hash, so neither memory nor file names hold the key. */
export function keyScope(localKey: string): string {
  return createHash("sha256").update(`codex-provider responses\0${localKey}`, "utf8").digest("hex").slice(0, 32);
}

/** A kept response as get() gives it back. */
export interface HeldResponse extends StoredResponse {
  /** Its input's size as JSON, when put() knew or counted it (a follow-up adds to it rather than serializing the whole context again). */
  readonly inputBytes?: number;
}

/**
 * A kept entry. A turn's input may still be the text the client sent it in (a long one the
 * body reader left unparsed): parsed when something first reads it (a follow-up, a
 * listing, its file), not to keep it. Parsing the bench's 111 KB history cost ~150 µs of
 * a turn that nothing may ever continue (docs/PERFORMANCE.md, "Sixteenth pass").
 */
class Held implements HeldResponse, FileEntry {
  /** Set by the files once written (response-files.ts). */
  version?: string;
  #input: Json[] | DeferredJson;

  constructor(
    readonly response: Json,
    input: Json[] | DeferredJson,
    readonly createdAt: number,
    readonly inputBytes: number | undefined,
    readonly charge: Charge,
    /** Items its own context array was counted for (ITEM_BYTES each): none for an input kept as text, whose bytes are counted. */
    readonly items: number,
  ) {
    this.#input = input;
  }

  get input(): Json[] {
    if (this.#input instanceof DeferredJson) this.#input = this.#input.value() as Json[];
    return this.#input;
  }
}

/** What one turn adds to the store's bytes: counted while it is held, or while a counted later turn builds on it. */
interface Charge {
  bytes: number;
  /** Counted charges that build on this one. */
  refs: number;
  base?: Charge;
  held: boolean;
  /** No longer counted: nothing holds it. */
  released: boolean;
}

/** What put() keeps: a response, its input, and what the caller already knows of the response's size. */
export interface NewResponse extends Omit<StoredResponse, "createdAt" | "input"> {
  /** The turn's input; still the client's text (see Held) when nothing has read it. */
  input: Json[] | DeferredJson;
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
   * (conversation.ts) instead of serializing a context that grows with every turn; a
   * client's own input, by the text it was parsed from (as `responseBytes`).
   */
  inputBytes?: number;
  /**
   * The kept response this one continues, when its input is that one's input and output
   * followed by new items of `addedBytes` as JSON: then only those are counted, and its
   * file holds only those (response-files.ts).
   */
  continues?: HeldResponse;
  addedBytes?: number;
}

export class ResponseStore {
  /** `scope/id` → entry; Map order is recency (oldest first). */
  private readonly entries = new Map<string, Held>();
  private bytes = 0;
  private lastSweep = 0;
  /** The files, when `retentionHours > 0`. */
  private readonly files?: ResponseFiles;

  constructor(
    private readonly limits: ResponseStoreLimits,
    /** The state directory when `retentionHours > 0`. */
    home?: string,
    /** Persistence failures (the answer to the client does not depend on them). */
    onError: (message: string) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    if (limits.retentionHours > 0 && home !== undefined) this.files = new ResponseFiles(join(home, "responses"), limits.maxBytes, onError);
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
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
    // A known response size spares serializing the response (~12 µs for a short answer) just
    // to count it; a known input size spares serializing the whole conversation.
    const inputBytes = entry.inputBytes ?? jsonBytes(input);
    const ownResponseBytes = responseBytes ?? jsonBytes(response);
    // Without a source size, the entry counts as its exact JSON, summed from the parts.
    const whole = ownResponseBytes + inputBytes + (responseBytes === undefined ? ENTRY_FIELDS_BYTES + String(createdAt).length : ENTRY_OVERHEAD);
    if (whole > this.limits.maxBytes) return false;
    // Checked once here; its file (response-files.ts) then holds only the added items as well.
    const extended = entry.continues !== undefined && Array.isArray(input) && extendsContext(input, entry.continues) ? (entry.continues as Held) : undefined;
    const base = extended?.charge && !extended.charge.released && entry.addedBytes !== undefined ? extended : undefined;
    const charge: Charge = { bytes: base ? ownResponseBytes + entry.addedBytes! + ENTRY_OVERHEAD : whole, refs: 0, base: base?.charge, held: true, released: false };
    // Counted before the key is let go of: a response may continue one with its own id.
    if (base) base.charge.refs++;
    const key = `${scope}/${id}`;
    this.remove(key);
    const held = new Held(response, input, createdAt, inputBytes, charge, Array.isArray(input) ? input.length : 0);
    this.entries.set(key, held);
    this.bytes += charge.bytes + ITEM_BYTES * held.items;
    this.sweep();
    this.evict();
    if (this.entries.has(key)) this.files?.write(key, held, extended);
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
    return this.files?.flush() ?? Promise.resolve();
  }

  /** Finish pending file changes and let go of the scopes' directories (server close): nothing is written after. */
  close(): Promise<void> {
    return this.files?.close() ?? Promise.resolve();
  }

  /** Claim one scope's directory and read back its files (at server start), dropping expired and unreadable ones; a config_error when another process has it. */
  async load(scope: string): Promise<void> {
    if (!this.files) return;
    const { entries, bases } = await this.files.load(scope, (createdAt) => this.expired({ createdAt }));
    // Counted as the files share their turns.
    const charges = new Map<string, Charge>();
    const count = (link: ChainLink, held: boolean) => {
      const charge: Charge = { bytes: link.ownBytes + ENTRY_OVERHEAD, refs: 0, held, released: false };
      charges.set(link.key, charge);
      this.bytes += charge.bytes;
      return charge;
    };
    for (const link of bases) count(link, false);
    // Oldest first, so the most recent survive the limits.
    for (const { link, ...entry } of entries) {
      const held = new Held(entry.response, entry.input, entry.createdAt, entry.inputBytes, count(link, true), entry.input.length);
      held.version = entry.version;
      this.entries.set(`${scope}/${String(entry.response.id)}`, held);
      this.bytes += ITEM_BYTES * held.items;
    }
    for (const link of [...bases, ...entries.map((entry) => entry.link)]) {
      const base = link.base === undefined ? undefined : charges.get(link.base);
      if (!base) continue;
      charges.get(link.key)!.base = base;
      base.refs++;
    }
    this.evict();
  }

  private expired(entry: { createdAt: number }): boolean {
    return this.files !== undefined && this.now() - entry.createdAt > this.limits.retentionHours * HOUR_MS;
  }

  private sweep(): void {
    if (!this.files || this.now() - this.lastSweep < SWEEP_EVERY_MS) return;
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
    this.bytes -= ITEM_BYTES * held.items;
    held.charge.held = false;
    this.release(held.charge);
    this.files?.remove(key);
  }

  /** Stop counting `charge` if nothing holds it any more, and so on down the turns it built on. */
  private release(charge: Charge | undefined): void {
    for (let at = charge; at && !at.held && at.refs === 0 && !at.released; ) {
      at.released = true;
      this.bytes -= at.bytes;
      const base = at.base;
      at.base = undefined;
      if (base) base.refs--;
      at = base;
    }
  }
}
