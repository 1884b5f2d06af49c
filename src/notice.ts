// What the library has to tell a person, as typed objects. The library never writes to
// a terminal: it hands notices to the caller's `onNotice` hook (the CLI prints them on
// stderr; a program may log, count or ignore them). Without a hook they are dropped.
import type { ProviderError } from "./errors.js";
import type { FallbackSwitch } from "./types.js";

export type Notice =
  /** A provider without a stability contract was created (chatgpt-codex, or a custom provider marked experimental). */
  | { code: "experimental_provider"; provider: string; message: string }
  /** A failed attempt will be retried after `delayMs`; `retry` counts from 1. */
  | { code: "retry"; message: string; retry: number; delayMs: number; error: ProviderError }
  /** A fallback chain moved to its next entry (one line, e.g. "usage limit on chatgpt-codex (resets …); continuing on openai"). */
  | ({ code: "fallback"; message: string } & FallbackSwitch)
  /** Non-fatal: a skipped stream event, an ignored config key, a fallback model list, an unsaved snapshot. */
  | { code: "warning"; message: string };

export type NoticeCode = Notice["code"];

export type NoticeHandler = (notice: Notice) => void;
