// A continued conversation's context is made of parts: the earlier turn's input, its
// output, then the new input (conversation.ts). Their sizes as JSON add up to the
// context's without serializing it whole, which grows with every turn.

type Json = Record<string, unknown>;

/** `value`'s size as JSON, in bytes. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** The size of two JSON arrays joined into one, from theirs: `[a]` and `[b]` make `[a,b]`; `[]` is 2 bytes. */
export function joinedBytes(a: number, b: number): number {
  return a === 2 ? b : b === 2 ? a : a + b - 1;
}

/** A response's output items: what a follow-up's context carries after the earlier input. */
export function outputOf(response: Json | undefined): Json[] {
  return (response?.output as Json[] | undefined) ?? [];
}
