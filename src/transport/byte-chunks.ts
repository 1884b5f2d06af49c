// A byte string kept as the chunks it arrived in. A 136 KB request body comes off the
// socket in ~3 chunks; joining them cost a copy, and 136 KB more of memory outside V8's
// heap a request, which V8 reclaims with full collections: `serve` ran one every ~60
// calls of that size (docs/PERFORMANCE.md, "Sixteenth pass"). The chunks are read where
// they lie and sent on as they are; only a character cut between two is copied out.
import { isUtf8 } from "node:buffer";

/** No byte there: what at() gives outside the string. */
export const NO_BYTE = -1;

export class ByteChunks {
  readonly length: number;
  /** Where each part starts in the whole. */
  private readonly starts: number[] = [];
  // The part read last, and where it lies in the whole: a scan moves forward through one
  // part at a time, so most reads are a bounds check and an index.
  private part: Buffer;
  private from = 0;
  private to = 0;

  constructor(readonly parts: readonly Buffer[]) {
    let length = 0;
    for (const part of parts) {
      this.starts.push(length);
      length += part.length;
    }
    this.length = length;
    this.part = parts[0] ?? EMPTY;
    this.to = this.part.length;
  }

  /** The byte at `i`, or NO_BYTE outside the string. */
  at(i: number): number {
    if (i >= this.from && i < this.to) return this.part[i - this.from];
    if (i < 0 || i >= this.length) return NO_BYTE;
    this.select(i);
    return this.part[i - this.from];
  }

  /** The first index at or after `from` holding `byte`, or -1. */
  indexOf(byte: number, from: number): number {
    if (from >= this.length) return -1;
    if (from < this.from || from >= this.to) this.select(Math.max(from, 0));
    for (;;) {
      const part = this.part;
      let k = Math.max(from - this.from, 0);
      // A loop finds a near byte (a JSON key's closing quote) sooner than a native call.
      for (const near = Math.min(k + 16, part.length); k < near; k++) if (part[k] === byte) return this.from + k;
      const found = part.indexOf(byte, k);
      if (found >= 0) return this.from + found;
      if (this.to >= this.length) return -1;
      this.select(this.to);
    }
  }

  /** Bytes `start` to `end` (default: the end), as views of these parts. */
  subarray(start: number, end = this.length): ByteChunks {
    const parts: Buffer[] = [];
    for (let p = 0; p < this.parts.length; p++) {
      const from = Math.max(start - this.starts[p], 0);
      const to = Math.min(end - this.starts[p], this.parts[p].length);
      if (from < to) parts.push(from === 0 && to === this.parts[p].length ? this.parts[p] : this.parts[p].subarray(from, to));
    }
    return new ByteChunks(parts);
  }

  /** Bytes `start` to `end` as UTF-8 text, decoded part by part. */
  toString(start = 0, end = this.length): string {
    const range = start === 0 && end === this.length ? this : this.subarray(start, end);
    const pieces = range.characterPieces();
    return pieces.length === 1 ? pieces[0].toString("utf8") : pieces.map((piece) => piece.toString("utf8")).join("");
  }

  /** Whether the whole is well-formed UTF-8. */
  isUtf8(): boolean {
    return this.characterPieces().every((piece) => isUtf8(piece));
  }

  /**
   * The parts cut where no character is: a character split between two parts becomes a
   * piece of its own (a few bytes copied), so each piece can be checked and decoded alone.
   */
  private characterPieces(): Buffer[] {
    const pieces: Buffer[] = [];
    // The bytes of a character the parts before left unfinished.
    let carry: number[] = [];
    for (const part of this.parts) {
      let from = 0;
      if (carry.length > 0) {
        const take = Math.min(sequenceLength(carry[0]) - carry.length, part.length);
        for (; from < take; from++) carry.push(part[from]);
        if (carry.length < sequenceLength(carry[0])) continue;
        pieces.push(Buffer.from(carry));
        carry = [];
      }
      const cut = unfinishedFrom(part, from);
      if (cut > from) pieces.push(from === 0 && cut === part.length ? part : part.subarray(from, cut));
      for (let k = cut; k < part.length; k++) carry.push(part[k]);
    }
    // Unfinished at the end: not UTF-8, decoded as replacement characters.
    if (carry.length > 0) pieces.push(Buffer.from(carry));
    return pieces;
  }

  /** Makes the part holding byte `i` (0 ≤ i < length) the current one. */
  private select(i: number): void {
    let p = 0;
    while (p + 1 < this.parts.length && this.starts[p + 1] <= i) p++;
    this.part = this.parts[p];
    this.from = this.starts[p];
    this.to = this.from + this.part.length;
  }
}

const EMPTY = Buffer.alloc(0);

/** The bytes a UTF-8 sequence starting with `lead` takes; 1 for a byte that starts none longer. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

const isContinuation = (byte: number): boolean => (byte & 0xc0) === 0x80;

/** Where a character left unfinished at the end of `part` (after `from`) starts; part.length if none is. */
function unfinishedFrom(part: Buffer, from: number): number {
  let k = part.length - 1;
  while (k >= from && k > part.length - 4 && isContinuation(part[k])) k--;
  return k >= from && part.length - k < sequenceLength(part[k]) ? k : part.length;
}
