// Finding fragments of known secrets in a text in one pass. Every 16-character window
// of every secret is indexed by a rolling hash; the text is scanned with the same
// rolling hash, only inside runs of characters that occur in some secret; a hash hit
// is checked against the secret and extended to the longest stretch the two share,
// and that stretch is masked. Work is linear in the text plus the masked lengths.

const FRAGMENT = 16;
/** FNV's 32-bit prime: odd, so multiplying by it mod 2^32 loses nothing. */
const BASE = 0x01000193;
const BASE_POW = (() => {
  let p = 1;
  for (let i = 0; i < FRAGMENT; i++) p = Math.imul(p, BASE);
  return p;
})();
/** Map keys stay small integers (no boxed numbers); collisions only cost a check. */
const KEY_BITS = 0x3fffffff;
/** 2^21 bits (256 KiB) for at most ~128 K windows: a text window passes by chance 1 time in 16. */
const SEEN_BITS = 1 << 21;
/** A window's position packed in one small integer: secret number and offset. */
const OFFSET_BITS = 16;

export class SecretIndex {
  static readonly FRAGMENT = FRAGMENT;
  /** Longest secret the packed positions can address. */
  static readonly MAX_SECRET_LENGTH = 1 << OFFSET_BITS;

  private readonly windows = new Map<number, number | number[]>();
  /** One bit per hash (low bits): most text windows are ruled out without a Map lookup. */
  private readonly seen = new Uint32Array(SEEN_BITS >>> 5);
  /** Characters that occur in some secret; a window with any other cannot match. */
  private readonly alphabet = new Uint8Array(0x10000);

  constructor(private readonly secrets: readonly string[]) {
    secrets.forEach((secret, s) => {
      let h = 0;
      for (let i = 0; i < secret.length; i++) {
        const c = secret.charCodeAt(i);
        this.alphabet[c] = 1;
        h = roll(h, c, i >= FRAGMENT ? secret.charCodeAt(i - FRAGMENT) : -1);
        if (i >= FRAGMENT - 1) this.add(h & KEY_BITS, (s << OFFSET_BITS) | (i - FRAGMENT + 1));
      }
    });
  }

  /**
   * Secrets often share long stretches (rotated JWTs share their header), so one window
   * may belong to many secrets: each is kept, to find the one a text extends furthest.
   * A stretch repeated inside one secret is kept once, which bounds the candidates
   * per window by the number of secrets.
   */
  private add(key: number, ref: number): void {
    this.seen[(key & (SEEN_BITS - 1)) >>> 5] |= 1 << (key & 31);
    const existing = this.windows.get(key);
    if (existing === undefined) return void this.windows.set(key, ref);
    const refs = typeof existing === "number" ? [existing] : existing;
    const window = this.window(ref);
    if (refs.some((other) => other >>> OFFSET_BITS === ref >>> OFFSET_BITS && this.window(other) === window)) return;
    refs.push(ref);
    if (refs.length === 2) this.windows.set(key, refs);
  }

  private window(ref: number): string {
    const offset = ref & ((1 << OFFSET_BITS) - 1);
    return this.secrets[ref >>> OFFSET_BITS].slice(offset, offset + FRAGMENT);
  }

  /** `text` with every stretch of 16+ characters shared with a secret replaced by `mask`. */
  mask(text: string, mask: string): string {
    if (this.windows.size === 0 || text.length < FRAGMENT) return text;
    const { alphabet, seen } = this;
    let out = "";
    let copied = 0;
    let run = 0;
    let h = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (alphabet[c] === 0) {
        run = 0;
        h = 0;
        continue;
      }
      run += 1;
      h = roll(h, c, run > FRAGMENT ? text.charCodeAt(i - FRAGMENT) : -1);
      if (run < FRAGMENT) continue;
      const key = h & KEY_BITS;
      if ((seen[(key & (SEEN_BITS - 1)) >>> 5] & (1 << (key & 31))) === 0) continue;
      const match = this.matchAt(text, i - FRAGMENT + 1, key, copied);
      if (!match) continue;
      out += text.slice(copied, match.start) + mask;
      copied = match.end;
      // Scanning resumes after the match with a fresh window.
      i = match.end - 1;
      run = 0;
      h = 0;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  /** The widest verified match through the window at `start`, not reaching back before `floor`. */
  private matchAt(text: string, start: number, key: number, floor: number): { start: number; end: number } | undefined {
    const found = this.windows.get(key);
    if (found === undefined) return undefined;
    let best: { start: number; end: number } | undefined;
    for (const ref of typeof found === "number" ? [found] : found) {
      if (!text.startsWith(this.window(ref), start)) continue;
      const secret = this.secrets[ref >>> OFFSET_BITS];
      const offset = ref & ((1 << OFFSET_BITS) - 1);
      let end = start + FRAGMENT;
      while (end < text.length && offset + (end - start) < secret.length && text.charCodeAt(end) === secret.charCodeAt(offset + (end - start))) end += 1;
      let from = start;
      while (from > floor && offset - (start - from) > 0 && text.charCodeAt(from - 1) === secret.charCodeAt(offset - (start - from) - 1)) from -= 1;
      if (!best || end > best.end || (end === best.end && from < best.start)) best = { start: from, end };
    }
    return best;
  }
}

/** The next window hash: shift in `c`, drop `out` (the char leaving a full window) unless -1. */
function roll(h: number, c: number, out: number): number {
  const shifted = (Math.imul(h, BASE) + c) | 0;
  return out < 0 ? shifted : (shifted - Math.imul(out, BASE_POW)) | 0;
}
