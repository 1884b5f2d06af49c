// Where one top-level member's value lies in a JSON object's text, found without parsing
// or serializing anything. The response store counts a turn's input by the text the
// client sent it in, where serializing a resent 136 KB history just to count it cost
// ~250 µs a request (docs/PERFORMANCE.md, "Fourteenth pass"); the body reader leaves a
// large `input` unparsed where nothing reads it (request-body.ts, "Fifteenth pass").
import { isJsonSpace } from "../transport/body-source.js";
import type { ByteChunks } from "../transport/byte-chunks.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
export const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Out of the shape of a JSON object's text. */
class NotAnObject extends Error {}

/** Where a member's value lies: `bytes.subarray(start, end)`; `repeated` if the name came more than once. */
export interface MemberSpan {
  start: number;
  end: number;
  repeated: boolean;
}

/**
 * The byte length of the value of member `name` in the JSON object `bytes` (UTF-8, as
 * JSON.parse read it: for a repeated name, the last one); undefined when the member is
 * absent or the text is not an object read this way.
 */
export function memberBytes(bytes: ByteChunks, name: string): number | undefined {
  const span = memberSpan(bytes, name);
  return span && span.end - span.start;
}

/**
 * Where the value of member `name` lies in the JSON object `bytes` (for a repeated name,
 * the last one, as JSON.parse keeps); undefined when it is absent or the text is not an
 * object read this way.
 */
export function memberSpan(bytes: ByteChunks, name: string): MemberSpan | undefined {
  return memberSpans(bytes, [name])?.get(name);
}

/**
 * Where the values of the members `names` lie in the JSON object `bytes`, for those present
 * (as memberSpan, in one pass); undefined when the text is not an object read this way.
 * Strings are skipped and brackets counted, nothing more: text that passes may still not
 * be JSON (a bad literal, a control character in a string).
 */
export function memberSpans(bytes: ByteChunks, names: readonly string[]): Map<string, MemberSpan> | undefined {
  const found = new Map<string, MemberSpan>();
  try {
    let i = skipSpace(bytes, 0);
    if (bytes.at(i) !== OPEN_OBJECT) return undefined;
    i = skipSpace(bytes, i + 1);
    if (bytes.at(i) === CLOSE_OBJECT) return skipSpace(bytes, i + 1) === bytes.length ? found : undefined;
    for (;;) {
      if (bytes.at(i) !== QUOTE) throw new NotAnObject();
      const keyEnd = stringEnd(bytes, i);
      const key = keyOf(bytes, i, keyEnd);
      i = skipSpace(bytes, keyEnd);
      if (bytes.at(i) !== COLON) throw new NotAnObject();
      i = skipSpace(bytes, i + 1);
      const valueStop = valueEnd(bytes, i);
      if (names.includes(key)) found.set(key, { start: i, end: valueStop, repeated: found.has(key) });
      i = skipSpace(bytes, valueStop);
      if (bytes.at(i) === CLOSE_OBJECT) return skipSpace(bytes, i + 1) === bytes.length ? found : undefined;
      if (bytes.at(i) !== COMMA) throw new NotAnObject();
      i = skipSpace(bytes, i + 1);
    }
  } catch (error) {
    if (error instanceof NotAnObject || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** A member name: its bytes as they are unless it holds an escape. */
function keyOf(bytes: ByteChunks, start: number, end: number): string {
  const text = bytes.toString(start, end);
  return text.includes("\\") ? (JSON.parse(text) as string) : text.slice(1, -1);
}

/** The index after the value starting at `i`. */
function valueEnd(bytes: ByteChunks, i: number): number {
  const first = bytes.at(i);
  if (first === QUOTE) return stringEnd(bytes, i);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    // A number or literal: up to the next delimiter.
    let j = i;
    while (j < bytes.length && !isDelimiter(bytes.at(j))) j++;
    if (j === i) throw new NotAnObject();
    return j;
  }
  let depth = 0;
  for (let j = i; j < bytes.length; j++) {
    const c = bytes.at(j);
    if (c === QUOTE) j = stringEnd(bytes, j) - 1;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return j + 1;
  }
  throw new NotAnObject();
}

/** The index after the string opening at `i`: past the next quote not escaped by an odd run of backslashes. */
function stringEnd(bytes: ByteChunks, i: number): number {
  let quote = i;
  for (;;) {
    // indexOf is native: a string's bytes are not walked one by one here.
    quote = bytes.indexOf(QUOTE, quote + 1);
    if (quote < 0) throw new NotAnObject();
    let k = quote - 1;
    while (bytes.at(k) === BACKSLASH) k--;
    if ((quote - 1 - k) % 2 === 0) return quote + 1;
  }
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isJsonSpace(c);
}

function skipSpace(bytes: ByteChunks, i: number): number {
  while (i < bytes.length && isJsonSpace(bytes.at(i))) i++;
  return i;
}
