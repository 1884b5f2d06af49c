// Which OpenAI model answers a request that names a Claude model (the local server's
// Anthropic Messages endpoint). One setting holds the whole table as text, so it fits a
// flag and an env variable: `gpt-5.5,claude-haiku-4-5=gpt-5.4-mini` sends every
// `claude-*` name to gpt-5.5 except the exact name claude-haiku-4-5. Without a bare
// entry, `claude-*` names go to the provider's default model.

export interface ClaudeModelMap {
  /** The model for any `claude-*` name without an exact entry; undefined = the provider's default. */
  fallback?: string;
  /** Exact client model name -> OpenAI model. */
  exact: Record<string, string>;
}

/** Entries are short names; a bound keeps a pasted blob from becoming a table. */
const MAX_ENTRIES = 64;
const NAME = /^[A-Za-z0-9][\w.:/-]*$/;

/** The table in `text`, or undefined when it is malformed. */
export function parseClaudeModelMap(text: string): ClaudeModelMap | undefined {
  const entries = text.split(",").map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0 || entries.length > MAX_ENTRIES) return undefined;
  const map: ClaudeModelMap = { exact: {} };
  for (const entry of entries) {
    const [from, to, extra] = entry.split("=").map((part) => part.trim());
    if (to === undefined) {
      if (map.fallback !== undefined || !NAME.test(from)) return undefined;
      map.fallback = from;
    } else {
      if (extra !== undefined || !NAME.test(from) || !NAME.test(to)) return undefined;
      map.exact[from] = to;
    }
  }
  return map;
}

/**
 * The model to send upstream for the name a client asked for: an exact entry, else
 * the fallback for `claude-*` names, else the name itself (an OpenAI model asked for
 * by name). Undefined means the provider's default model.
 */
export function upstreamModel(map: ClaudeModelMap | undefined, requested: string): string | undefined {
  if (map && Object.hasOwn(map.exact, requested)) return map.exact[requested];
  if (requested.startsWith("claude-")) return map?.fallback;
  return requested;
}
