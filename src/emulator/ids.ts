// Server-side identifiers in the shapes OpenAI uses (`resp_…`, `msg_…`, `call_…`).
// A per-process random stem plus a counter keeps them unique without paying for
// crypto randomness on every streamed item.
import { randomBytes } from "node:crypto";

const stem = randomBytes(8).toString("hex");
let counter = 0;

/** A fresh id such as `resp_3f9a…0001a`. */
export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}_${stem}${counter.toString(16).padStart(8, "0")}`;
}

/** Unix seconds, the unit every OpenAI timestamp field uses. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
