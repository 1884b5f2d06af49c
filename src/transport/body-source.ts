// The bytes a JSON request body goes out as. A body relayed from a client (the local
// server) usually leaves with the members it came with, and perhaps a few the provider's
// policy adds (default instructions, `stream`). The client's own bytes are then sent
// again, those members written before the closing brace, rather than a new serialization
// of the whole value: for a 140 KB conversation, JSON.stringify and the string's encoding
// cost ~0.3 ms of CPU on every turn (docs/PERFORMANCE.md, "Thirteenth pass"). A member
// the policy changed or removed makes the body go as its new JSON: the client's text for
// it would otherwise have to be found and cut out. Duplicate member names reach the
// upstream as the client wrote them, as through any pass-through proxy.
import type { ByteChunks } from "./byte-chunks.js";
import { DeferredJson } from "./deferred-json.js";

/**
 * A JSON object body as a client sent it: the value JSON.parse gave (left unchanged: a
 * changed copy is compared with it; a member may be a DeferredJson, not yet parsed: read
 * it through settled()) and the UTF-8 bytes it was parsed from, without a BOM, in the
 * chunks they came in.
 */
export interface BodySource {
  value: Record<string, unknown>;
  bytes: ByteChunks;
}

/**
 * `body` as it is sent: `source`'s bytes (as parts, sent one after another) when `body`
 * keeps every member of its value (with the members `body` adds written at the end), else
 * `body`'s JSON.
 */
export function bodyBytes(body: Record<string, unknown>, source: BodySource | undefined): string | readonly Uint8Array[] {
  const added = source && addedMembers(body, source.value);
  if (!source || !added) return JSON.stringify(body);
  return added.length === 0 ? source.bytes.parts : withMembers(source.bytes, Object.keys(source.value).length > 0, added, body);
}

/**
 * The members `body` adds to `source`'s, or undefined when it changed or left out one of
 * them. Shallow, as the policies change bodies: copies of the top level with members set
 * or replaced. A member is kept when it is the same value, or an array of the same
 * elements (a policy that maps `input` or rebuilds `include` makes a new array whose
 * unchanged elements are the client's). An `undefined` member is absent, as in JSON.
 */
function addedMembers(body: Record<string, unknown>, source: Record<string, unknown>): string[] | undefined {
  const added: string[] = [];
  let kept = 0;
  for (const key in body) {
    const value = body[key];
    if (value === undefined) continue;
    if (!Object.hasOwn(source, key)) added.push(key);
    else if (value === source[key] || sameElements(value, source[key])) kept++;
    else return undefined;
  }
  return kept === Object.keys(source).length ? added : undefined;
}

function sameElements(a: unknown, sourceValue: unknown): boolean {
  // A deferred member someone has read (a policy that maps `input` parses it first).
  const b = sourceValue instanceof DeferredJson ? sourceValue.parsedValue() : sourceValue;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** JSON's whitespace: space, tab, LF, CR (RFC 8259 §2). */
export const isJsonSpace = (byte: number): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/** `bytes`, a JSON object's text, with `body`'s `members` written before its closing brace. */
function withMembers(bytes: ByteChunks, hasMembers: boolean, members: string[], body: Record<string, unknown>): Uint8Array[] {
  let brace = bytes.length - 1;
  while (brace > 0 && isJsonSpace(bytes.at(brace))) brace--;
  let tail = "";
  for (const key of members) tail += `${tail || hasMembers ? "," : ""}${JSON.stringify(key)}:${JSON.stringify(body[key])}`;
  return [...bytes.subarray(0, brace).parts, Buffer.from(`${tail}}`)];
}
