// Text from a request or an upstream on its way to the operator's terminal. A log
// line must stay one line, and nothing in it may be read by the terminal as a command.

// Everything a terminal may act on: C0 and C1 controls (ESC, CSI, newline…), DEL, the
// Unicode line separators and the bidirectional overrides that reorder what is shown.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** Printable ASCII without space, quote or backslash: written as is. */
const PLAIN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Every unsafe character as a `\uXXXX` escape (also valid inside JSON strings). */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A space-separated log field: as is when plain, else quoted with quotes, backslashes and unsafe characters escaped. */
export function logField(value: string): string {
  return PLAIN.test(value) ? value : `"${terminalSafe(value.replace(/["\\]/g, "\\$&"))}"`;
}
