// Where a key sits in a TOML text, so schema errors can name a line and column. The
// parser gives positions only for syntax errors; this scan covers what config files
// use: table headers, bare/quoted/dotted keys and one-line inline tables. Anything it
// cannot place falls back to the nearest enclosing key or table.

export interface Position {
  line: number;
  column: number;
}

/** Splits `a."b.c" . d` into ["a", "b.c", "d"]. */
function splitKey(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ".") {
      parts.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts;
}

const HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/;
const KEY_LINE = /^(\s*)((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/;

function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => part === path[i]);
}

/** Column of `key =` inside an inline table on `line`, if it is there. */
function inlineColumn(line: string, key: string): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`[{,]\\s*(["']?)${escaped}\\1\\s*=`).exec(line);
  return match ? match.index + match[0].indexOf(key) - (match[1] ? 1 : 0) + 1 : undefined;
}

export function locateKey(text: string, path: readonly (string | number)[]): Position | undefined {
  const target = path.map(String);
  let table: string[] = [];
  let best: { length: number; position: Position } | undefined;
  let inMultiline: string | undefined;
  const consider = (candidate: string[], position: Position) => {
    if (isPrefix(candidate, target) && candidate.length > 0 && (!best || candidate.length > best.length)) best = { length: candidate.length, position };
  };
  text.split(/\r?\n/).forEach((line, index) => {
    if (inMultiline) {
      if (line.includes(inMultiline)) inMultiline = undefined;
      return;
    }
    const header = HEADER.exec(line);
    if (header) {
      table = splitKey(header[1]);
      consider(table, { line: index + 1, column: line.indexOf("[") + 1 });
      return;
    }
    const key = KEY_LINE.exec(line);
    if (!key) return;
    const full = [...table, ...splitKey(key[2])];
    consider(full, { line: index + 1, column: key[1].length + 1 });
    if (full.length < target.length && isPrefix(full, target)) {
      const column = inlineColumn(line, target[full.length]);
      if (column !== undefined) consider([...full, target[full.length]], { line: index + 1, column });
    }
    const rest = line.slice(key[0].length);
    for (const delimiter of ['"""', "'''"]) {
      const first = rest.indexOf(delimiter);
      if (first >= 0 && rest.indexOf(delimiter, first + 3) < 0) inMultiline = delimiter;
    }
  });
  return best?.position;
}
