// The user-facing settings, one table: config key, env variables, CLI flag, default,
// and what a valid value looks like. Precedence is flag > env > config > default, and
// every resolved value remembers where it came from (for `config show`). This module
// stays free of the TOML parser and zod so flag parsing costs nothing at startup.
import type { Env } from "./paths.js";
import { ProviderError } from "../errors.js";
import type { ReasoningEffort, Verbosity } from "../types.js";
import { parseClaudeModelMap } from "./claude-models.js";

export const REASONING_EFFORTS: readonly ReasoningEffort[] = ["none", "minimal", "low", "medium", "high", "xhigh"];
export const VERBOSITIES: readonly Verbosity[] = ["low", "medium", "high"];
/** transport/http.ts's HttpClientChoice (config is a leaf layer and cannot import it). */
const HTTP_CLIENTS = ["auto", "node", "undici"] as const;

/** How one kind of value is checked, from TOML (typed) or from env/flag text. */
export interface Kind<T> {
  /** What is expected, for error messages: "a whole number from 0 to 20". */
  describe: string;
  fromToml(value: unknown): T | undefined;
  fromText(text: string): T | undefined;
}

export function textKind(describe = "a non-empty string"): Kind<string> {
  const check = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
  return { describe, fromToml: check, fromText: check };
}

export function choiceKind<T extends string>(values: readonly T[]): Kind<T> {
  const check = (v: unknown) => ((values as readonly unknown[]).includes(v) ? (v as T) : undefined);
  return { describe: `one of ${values.map((v) => `"${v}"`).join(", ")}`, fromToml: check, fromText: check };
}

function intKind(min: number, max: number): Kind<number> {
  const inRange = (n: number) => (Number.isInteger(n) && n >= min && n <= max ? n : undefined);
  return {
    describe: `a whole number from ${min} to ${max}`,
    fromToml: (v) => (typeof v === "number" || typeof v === "bigint" ? inRange(Number(v)) : undefined),
    fromText: (t) => (/^\d+$/.test(t.trim()) ? inRange(Number(t)) : undefined),
  };
}

export function urlKind(): Kind<string> {
  const check = (v: unknown) => {
    if (typeof v !== "string" || !URL.canParse(v)) return undefined;
    const { protocol } = new URL(v);
    return protocol === "http:" || protocol === "https:" ? v : undefined;
  };
  return { describe: "an http:// or https:// URL", fromToml: check, fromText: check };
}

/** A list of up to `max` non-empty strings: a TOML array, or comma-separated text. */
function listKind(describe: string, max: number): Kind<string[]> {
  const check = (items: unknown[]) =>
    items.length >= 1 && items.length <= max && items.every((item) => typeof item === "string" && item.trim() !== "") ? (items as string[]).map((item) => item.trim()) : undefined;
  return {
    describe: `${describe} (1 to ${max})`,
    fromToml: (v) => (Array.isArray(v) ? check(v) : undefined),
    fromText: (t) => check(t.split(",")),
  };
}

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off"]);

/** A boolean environment variable's value: the words the README documents, else undefined. */
export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : undefined;
}

/** Kept as text (what `config show` prints); the server parses it with parseClaudeModelMap. */
function claudeModelKind(): Kind<string> {
  const check = (v: unknown) => (typeof v === "string" && parseClaudeModelMap(v) ? v : undefined);
  return { describe: 'a model, then optional exact NAME=MODEL entries, comma-separated (e.g. "gpt-5.5,claude-haiku-4-5=gpt-5.4-mini")', fromToml: check, fromText: check };
}

function boolKind(): Kind<boolean> {
  return {
    describe: "true or false",
    fromToml: (v) => (typeof v === "boolean" ? v : undefined),
    fromText: parseBoolean,
  };
}

interface SettingSpec<T> {
  kind: Kind<T>;
  /** Environment variables, first set wins. */
  env: readonly string[];
  /** The CLI flag (without dashes) and its value placeholder; the parseArgs table is SETTING_FLAGS. */
  flag: string;
  arg?: string;
  /** Shown by `config show` when nothing else is set; undefined = "the provider or model decides". */
  default?: T;
  /** One line of help. */
  doc: string;
  /** Read only by `serve` (its help lists it; ask and chat take no such flag). */
  serveOnly?: boolean;
}

function spec<T>(s: SettingSpec<T>): SettingSpec<T> {
  return s;
}

export const SETTINGS = {
  provider: spec({ kind: textKind("a provider id"), env: ["CODEX_PROVIDER_PROVIDER"], flag: "provider", arg: "<id>", default: "openai", doc: "openai, chatgpt, chatgpt-codex (experimental) or a custom provider" }),
  model: spec({ kind: textKind("a model id"), env: ["CODEX_PROVIDER_MODEL"], flag: "model", arg: "<id>", doc: "model (default: the provider's)" }),
  profile: spec({ kind: textKind("a profile name"), env: ["CODEX_PROVIDER_PROFILE"], flag: "profile", arg: "<name>", default: "default", doc: "credential profile" }),
  fallback: spec({ kind: listKind("a list of provider or provider:profile entries", 8), env: ["CODEX_PROVIDER_FALLBACK"], flag: "fallback", arg: "<p1,p2,...>", doc: "providers to continue on when a usage limit is reached; the first is the one to start with" }),
  reasoning_effort: spec({ kind: choiceKind(REASONING_EFFORTS), env: ["CODEX_PROVIDER_REASONING_EFFORT"], flag: "reasoning", arg: "<effort>", doc: `reasoning effort: ${REASONING_EFFORTS.join(", ")}` }),
  verbosity: spec({ kind: choiceKind(VERBOSITIES), env: ["CODEX_PROVIDER_VERBOSITY"], flag: "verbosity", arg: "<level>", doc: `answer length: ${VERBOSITIES.join(", ")}` }),
  request_timeout_ms: spec({ kind: intKind(1, 3_600_000), env: ["CODEX_PROVIDER_REQUEST_TIMEOUT_MS"], flag: "request-timeout", arg: "<ms>", default: 60_000, doc: "time to wait for response headers" }),
  idle_timeout_ms: spec({ kind: intKind(1, 3_600_000), env: ["CODEX_PROVIDER_IDLE_TIMEOUT_MS"], flag: "idle-timeout", arg: "<ms>", default: 300_000, doc: "longest silence inside a stream" }),
  // The default is the transport's DEFAULT_MAX_EVENT_BYTES (config is a leaf layer and cannot import it).
  max_event_bytes: spec({ kind: intKind(1024, 1024 * 1024 * 1024), env: ["CODEX_PROVIDER_MAX_EVENT_BYTES"], flag: "max-event-bytes", arg: "<bytes>", default: 16 * 1024 * 1024, doc: "largest stream line or event accepted" }),
  http_client: spec({ kind: choiceKind(HTTP_CLIENTS), env: ["CODEX_PROVIDER_HTTP_CLIENT"], flag: "http-client", arg: "<client>", doc: "HTTP client for direct requests: node, undici or auto (default: node for one-shot commands, auto for chat, undici for serve)" }),
  max_retries: spec({ kind: intKind(0, 20), env: ["CODEX_PROVIDER_MAX_RETRIES"], flag: "max-retries", arg: "<n>", default: 4, doc: "retries for retryable failures" }),
  api_url: spec({ kind: urlKind(), env: ["CODEX_PROVIDER_API_URL", "OPENAI_BASE_URL"], flag: "api-url", arg: "<url>", default: "https://api.openai.com/v1", doc: "Platform API base URL" }),
  auth_url: spec({ kind: urlKind(), env: ["CODEX_PROVIDER_AUTH_URL"], flag: "auth-url", arg: "<url>", default: "https://auth.openai.com", doc: "OAuth server" }),
  chatgpt_url: spec({ kind: urlKind(), env: ["CODEX_PROVIDER_CHATGPT_URL"], flag: "chatgpt-url", arg: "<url>", default: "https://chatgpt.com/backend-api", doc: "ChatGPT backend" }),
  proxy: spec({ kind: urlKind(), env: ["CODEX_PROVIDER_PROXY"], flag: "proxy", arg: "<url>", doc: "proxy for every request (default: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY; NO_PROXY applies)" }),
  experimental_notice: spec({ kind: boolKind(), env: ["CODEX_PROVIDER_EXPERIMENTAL_NOTICE"], flag: "no-experimental-notice", default: true, doc: "no notice for experimental providers" }),
  // Each client connection holds a file descriptor (and usually an upstream one too):
  // the cap keeps a flood of idle sockets from starving real clients.
  max_connections: spec({ kind: intKind(1, 65_535), env: ["CODEX_PROVIDER_MAX_CONNECTIONS"], flag: "max-connections", arg: "<n>", default: 256, doc: "client connections serve keeps open at once; more get a 503", serveOnly: true }),
  claude_model: spec({ kind: claudeModelKind(), env: ["CODEX_PROVIDER_CLAUDE_MODEL"], flag: "claude-model", arg: "<map>", doc: "model for claude-* names on /v1/messages, then NAME=MODEL overrides (default: the provider's model)", serveOnly: true }),
  max_request_body_mib: spec({ kind: intKind(1, 1024), env: ["CODEX_PROVIDER_MAX_REQUEST_BODY_MIB"], flag: "max-request-body", arg: "<MiB>", default: 32, doc: "largest request body serve accepts (after decompression); larger is a 413", serveOnly: true }),
  // The response store behind previous_response_id on stateless upstreams (server/response-store.ts).
  responses_store_max: spec({ kind: intKind(0, 100_000), env: ["CODEX_PROVIDER_RESPONSES_STORE_MAX"], flag: "responses-store-max", arg: "<n>", default: 1000, doc: "responses serve keeps for previous_response_id (0: none); least recently used out first", serveOnly: true }),
  responses_store_mib: spec({ kind: intKind(1, 4096), env: ["CODEX_PROVIDER_RESPONSES_STORE_MIB"], flag: "responses-store-mib", arg: "<MiB>", default: 64, doc: "memory the stored responses may take", serveOnly: true }),
  // Off by default: conversations on disk are a privacy decision the user makes.
  responses_store_hours: spec({ kind: intKind(0, 8760), env: ["CODEX_PROVIDER_RESPONSES_STORE_HOURS"], flag: "responses-store-hours", arg: "<hours>", default: 0, doc: "keep stored responses on disk (0600) this long; 0: memory only", serveOnly: true }),
};

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K] extends SettingSpec<infer T> ? T : never;
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** The URL settings, each forwarded to providers through the env variable they read. */
const URL_SETTINGS = ["api_url", "auth_url", "chatgpt_url"] as const satisfies readonly SettingKey[];

/** Flags of the settings every provider command takes, for parseFlags. `--no-experimental-notice` is the only way a flag turns a switch off. */
export const SETTING_FLAGS = {
  provider: { type: "string", short: "p" },
  profile: { type: "string" },
  fallback: { type: "string" },
  model: { type: "string", short: "m" },
  reasoning: { type: "string", short: "r" },
  verbosity: { type: "string" },
  "request-timeout": { type: "string" },
  "idle-timeout": { type: "string" },
  "max-event-bytes": { type: "string" },
  "http-client": { type: "string" },
  "max-retries": { type: "string" },
  "api-url": { type: "string" },
  "auth-url": { type: "string" },
  "chatgpt-url": { type: "string" },
  proxy: { type: "string" },
  "no-experimental-notice": { type: "boolean" },
} as const;

// Model, effort and verbosity shape one request: only ask and chat take them.
const { model: _model, reasoning: _reasoning, verbosity: _verbosity, ...CONNECTION_FLAGS } = SETTING_FLAGS;
export const PER_REQUEST_SETTINGS: readonly SettingKey[] = ["model", "reasoning_effort", "verbosity"];

/** Flags of the settings that say how to reach a provider: every command that talks to one (models, status, usage, doctor, serve). */
export const CONNECTION_SETTING_FLAGS = CONNECTION_FLAGS;

/** Flags of the settings only `serve` reads. */
export const SERVE_SETTING_FLAGS = {
  "max-connections": { type: "string" },
  "max-request-body": { type: "string" },
  "responses-store-max": { type: "string" },
  "responses-store-mib": { type: "string" },
  "responses-store-hours": { type: "string" },
  "claude-model": { type: "string" },
} as const;

function helpColumns(key: SettingKey): [string, string] {
  const { flag, arg, doc, default: fallback } = SETTINGS[key] as SettingSpec<unknown>;
  const short = (SETTING_FLAGS[flag as keyof typeof SETTING_FLAGS] as { short?: string } | undefined)?.short;
  const showDefault = fallback !== undefined && typeof fallback !== "boolean";
  return [`${short ? `-${short}, ` : "    "}--${flag}${arg ? ` ${arg}` : ""}`, `${doc}${showDefault ? ` (default: ${fallback})` : ""}`];
}

/** Help text for the flags of `keys`. */
export function settingsHelp(keys: readonly SettingKey[]): string {
  const rows = keys.map(helpColumns);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return `Settings (flag > env > config.toml > default; see \`codex-provider config show\`):\n${rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join("\n")}`;
}

/** Help text for CONNECTION_SETTING_FLAGS. */
export const CONNECTION_SETTINGS_HELP = settingsHelp(SETTING_KEYS.filter((key) => !(SETTINGS[key] as SettingSpec<unknown>).serveOnly && !PER_REQUEST_SETTINGS.includes(key)));

/** Help text for SETTING_FLAGS, shared by every command that takes them. */
export const SETTING_FLAGS_HELP = settingsHelp(SETTING_KEYS.filter((key) => !(SETTINGS[key] as SettingSpec<unknown>).serveOnly));

type Source = "flag" | "env" | "config" | "default";

interface Resolved<T> {
  value: T | undefined;
  source: Source;
  /** Which flag, variable or file position supplied the value. */
  origin?: string;
}

export type Settings = { [K in SettingKey]: Resolved<SettingValue<K>> };

export interface SettingsInput {
  /** Raw parsed flag values keyed by flag name (as parseFlags returns them). */
  flags?: Record<string, string | boolean | undefined>;
  env: Env;
  /** Top-level values from config.toml, already validated. */
  config?: { [K in SettingKey]?: SettingValue<K> };
  /** Where a config key is, for provenance: "config.toml:3". */
  configOrigin?: (key: SettingKey) => string;
}

function invalid(where: string, expected: string, got: string): ProviderError {
  return new ProviderError("config_error", `${where}: expected ${expected}, got ${JSON.stringify(got)}.`);
}

function resolveOne<K extends SettingKey>(key: K, input: SettingsInput): Resolved<SettingValue<K>> {
  const setting = SETTINGS[key] as SettingSpec<SettingValue<K>>;
  const flag = input.flags?.[setting.flag];
  if (flag !== undefined) {
    // The only boolean flag negates its setting.
    if (typeof flag === "boolean") return { value: !flag as SettingValue<K>, source: "flag", origin: `--${setting.flag}` };
    const value = setting.kind.fromText(flag);
    if (value === undefined) throw invalid(`--${setting.flag}`, setting.kind.describe, flag);
    return { value, source: "flag", origin: `--${setting.flag}` };
  }
  for (const name of setting.env) {
    const text = input.env[name];
    // An empty variable counts as unset, as the rest of the tool treats it.
    if (text === undefined || text === "") continue;
    const value = setting.kind.fromText(text);
    if (value === undefined) throw invalid(name, setting.kind.describe, text);
    return { value, source: "env", origin: name };
  }
  const fromConfig = input.config?.[key];
  if (fromConfig !== undefined) return { value: fromConfig as SettingValue<K>, source: "config", origin: input.configOrigin?.(key) };
  return { value: setting.default, source: "default" };
}

export function resolveSettings(input: SettingsInput): Settings {
  const out = {} as Record<SettingKey, Resolved<unknown>>;
  for (const key of SETTING_KEYS) out[key] = resolveOne(key, input);
  return out as Settings;
}

/** Values for the env variables providers read their URLs from, for settings not left at default. */
export function urlEnv(settings: Settings): Env {
  const env: Env = {};
  for (const key of URL_SETTINGS) {
    const { value, source } = settings[key];
    if (source !== "default" && value !== undefined) env[SETTINGS[key].env[0]] = value;
  }
  return env;
}
