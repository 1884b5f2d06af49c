// The bytes a JSON request body goes out as. A body relayed from a client (the local
// server) usually leaves with the members it came with: a Codex-style client already sets
// what the provider's policy forces. Its own bytes are then sent again rather than a new
// serialization of the same value: for a 140 KB conversation, JSON.stringify and the
// string's encoding cost ~0.3 ms of CPU on every turn (docs/PERFORMANCE.md, "Thirteenth
// pass"). Duplicate member names then reach the upstream as the client
// wrote them, as through any pass-through proxy.

/**
 * A JSON object body as a client sent it: the value JSON.parse gave (left unchanged: a
 * changed copy is compared with it) and the UTF-8 bytes it was parsed from, without a BOM.
 */
export interface BodySource {
  value: Record<string, unknown>;
  bytes: Uint8Array;
}

/** `body` as it is sent: `source`'s bytes when `body` has the same members as its value, else `body`'s JSON. */
export function bodyBytes(body: Record<string, unknown>, source: BodySource | undefined): string | Uint8Array {
  return source && sameMembers(body, source.value) ? source.bytes : JSON.stringify(body);
}

/**
 * Shallow, as the policies change bodies: copies of the top level with members set or
 * replaced. A member is the same when it is the same value, or an array of the same
 * elements (a policy that maps `input` or rebuilds `include` makes a new array whose
 * unchanged elements are the client's). An `undefined` member is absent, as in JSON.
 */
function sameMembers(body: Record<string, unknown>, source: Record<string, unknown>): boolean {
  let members = 0;
  for (const key in body) {
    const value = body[key];
    if (value === undefined) continue;
    members++;
    if (!Object.hasOwn(source, key)) return false;
    const was = source[key];
    if (value !== was && !sameElements(value, was)) return false;
  }
  return members === Object.keys(source).length;
}

function sameElements(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
