// The fallback chain as `status` (and `doctor`) show it: each entry in order, and which
// are known to be out of usage until when (from the last usage limit or x-codex headers).
import { stateHome } from "../config/paths.js";
import { entryLabel } from "../providers/fallback.js";
import { exhaustedUntil } from "../providers/exhausted-windows.js";
import { formatReset } from "../time-format.js";
import type { CliContext } from "./context.js";
import { style } from "./format.js";
import { fallbackChain, type CliSettings } from "./open-provider.js";

export interface FallbackEntryStatus {
  label: string;
  /** Epoch ms when this entry's exhausted window resets; absent when it is usable. */
  exhaustedUntil?: number;
  modelMap?: Record<string, string>;
}

/** The configured chain with each entry's state, or undefined when no fallback is set. */
export async function fallbackChainStatus({ settings, config }: CliSettings, context: CliContext, now = Date.now()): Promise<FallbackEntryStatus[] | undefined> {
  const chain = fallbackChain(settings, config);
  if (!chain) return undefined;
  const exhausted = await exhaustedUntil(stateHome(context.env), now);
  return chain.map((entry) => {
    const label = entryLabel(entry);
    const until = exhausted.get(label);
    return { label, ...(until === undefined ? {} : { exhaustedUntil: until }), ...(entry.modelMap ? { modelMap: entry.modelMap } : {}) };
  });
}

/** A chain for `--json` output: reset times as ISO strings. */
export function fallbackChainJson(entries: readonly FallbackEntryStatus[] | undefined) {
  return entries?.map((e) => ({ ...e, exhaustedUntil: e.exhaustedUntil === undefined ? undefined : new Date(e.exhaustedUntil).toISOString() }));
}

/** Terminal lines for a chain: `fallback: chatgpt-codex (out of usage, resets in 2 h, at 16:40) → openai`. */
export function formatFallbackChain(entries: readonly FallbackEntryStatus[], color: boolean, now = Date.now()): string {
  const s = style(color);
  const items = entries.map((e) => (e.exhaustedUntil === undefined ? e.label : `${e.label} ${s.yellow(`(out of usage, ${formatReset(e.exhaustedUntil, now)})`)}`));
  return `fallback: ${items.join(" → ")}\n`;
}
