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

/** A kept response as its follow-ups see it: its context and its answer. */
interface Turn {
  response: Json;
  input: Json[];
}

/** How many items `input` adds to `base`'s context (its input, then its output), if it extends it. */
export function addedCount(input: Json[], base: Turn): number {
  return input.length - base.input.length - outputOf(base.response).length;
}

/**
 * Whether `input` starts with `base`'s context, item for item (the same objects:
 * conversation.ts builds it so); checked at the seams, where a mismatch would show.
 */
export function extendsContext(input: Json[], base: Turn): boolean {
  const output = outputOf(base.response);
  const seam = base.input.length;
  return (
    addedCount(input, base) >= 0 &&
    (seam === 0 || (input[0] === base.input[0] && input[seam - 1] === base.input[seam - 1])) &&
    (output.length === 0 || (input[seam] === output[0] && input[seam + output.length - 1] === output[output.length - 1]))
  );
}
