// Reads and validates config.toml. A missing file is an empty config; anything wrong
// is a `config_error` (exit 2) whose lines each name the file, line and column, the
// key, and what was expected. No parser excerpt is shown: the file may hold header
// secrets, and the message says enough to find the spot. The TOML parser and the schema
// (zod) load only when there is a file to read: importing zod is a third of a first
// command's start.
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { ProviderError } from "../errors.js";
import { configFile, stateHome, type Env } from "./paths.js";
import { customProviderWarnings } from "./providers.js";
import type { ConfigData, ConfigIssue } from "./schema.js";
import { checkStateHome, requireOwnedAndProtected } from "./state-permissions.js";
import { locateKey } from "./toml-locate.js";

export interface LoadedConfig {
  path: string;
  exists: boolean;
  data: ConfigData;
  /** "path:line" of a key, for provenance; the bare path when the key cannot be placed. */
  origin(keyPath: readonly string[]): string;
  /** Problems that do not stop the tool (e.g. env_key ignored by requires_openai_auth). */
  warnings: string[];
}

function configError(path: string, lines: string[]): ProviderError {
  return new ProviderError("config_error", lines.join("\n"), {
    hint: `Fix ${path} (check it with: codex-provider config validate). Keys are listed in the README's Configuration section.`,
  });
}

function dotted(path: readonly (string | number)[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i > 0 ? "." : ""}${/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key)}`))
    .join("");
}

function formatIssue(file: string, text: string, issue: ConfigIssue): string {
  const at = locateKey(text, issue.path);
  const where = at ? `${file}:${at.line}:${at.column}` : file;
  return issue.path.length > 0 ? `${where}: ${dotted(issue.path)}: ${issue.message}` : `${where}: ${issue.message}`;
}

/**
 * The file's text, or undefined when it does not exist. `strict`: the file must be
 * yours and writable by no one else, checked on the opened file so that what is
 * checked is what is read.
 */
export function readConfigText(path: string, strict = false): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw configError(path, [`${path}: cannot read the config file (${code ?? String(error)})`]);
  }
  try {
    if (strict) requireOwnedAndProtected(path, fstatSync(fd), "the config file");
    return readFileSync(fd, "utf8");
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw configError(path, [`${path}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  } finally {
    closeSync(fd);
  }
}

/** TOML text -> plain data; a syntax error names the file, line and column. */
export async function parseToml(path: string, text: string): Promise<Record<string, unknown>> {
  const { parse, TomlError } = await import("smol-toml");
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = tomlReason(error.message.split("\n")[0].replace(/^Invalid TOML document:\s*/, ""), text, error.line);
    throw configError(path, [`${path}:${error.line}:${error.column}: invalid TOML: ${reason}`]);
  }
}

/**
 * smol-toml reports a string left open at the end of its line as a control character
 * (the newline) inside it; say what the user did instead.
 */
function tomlReason(reason: string, text: string, line: number): string {
  if (!/control characters/.test(reason)) return reason;
  const quotes = (text.split("\n")[line - 1] ?? "").match(/"/g)?.length ?? 0;
  return quotes % 2 === 1 ? 'unterminated string: close it with " on the same line (use """ … """ for text over several lines)' : reason;
}

/** Parse and validate TOML text; `path` is only used in messages. */
export async function parseConfigText(path: string, text: string): Promise<{ data: ConfigData; warnings: string[] }> {
  const { validateConfig } = await import("./schema.js");
  const result = validateConfig(await parseToml(path, text));
  if (!result.ok) throw configError(path, result.issues.map((issue) => formatIssue(path, text, issue)));
  const warnings = Object.entries(result.config.providers ?? {}).flatMap(([name, provider]) => customProviderWarnings(name, provider));
  return { data: result.config, warnings };
}

/**
 * The config at `path` (default `$CODEX_PROVIDER_HOME/config.toml`, after checking
 * the state directory's owner and modes). The file is read synchronously: a small
 * local file, read once per command.
 */
export async function loadConfig(env: Env, explicitPath?: string): Promise<LoadedConfig> {
  const home = stateHome(env);
  if (explicitPath === undefined) checkStateHome(home);
  const path = explicitPath ?? configFile(home);
  const text = readConfigText(path, true);
  if (text === undefined) return { path, exists: false, data: {}, origin: () => path, warnings: [] };
  const { data, warnings } = await parseConfigText(path, text);
  return {
    path,
    exists: true,
    data,
    origin: (keyPath) => {
      const at = locateKey(text, keyPath);
      return at ? `${path}:${at.line}` : path;
    },
    warnings,
  };
}
