// `config path|show|validate|import-codex`. `show` prints every setting with where it
// came from and the custom providers with their secrets masked: header values whose
// names look secret, URL credentials, and never the value of an env variable.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "smol-toml";
import { convertCodexConfig } from "../../config/import-codex.js";
import { loadConfig, parseToml, readConfigText } from "../../config/load.js";
import { codexHome, configFile, stateHome, type Env } from "../../config/paths.js";
import { SERVE_SETTING_FLAGS, SETTING_FLAGS, SETTING_KEYS, SETTINGS, type Settings } from "../../config/settings.js";
import { ProviderError } from "../../errors.js";
import type { CustomProviderConfig } from "../../config/providers.js";
import { SECRET_HEADER } from "../../providers/custom.js";
import { redact } from "../../redact.js";
import { VERSION } from "../../version.js";
import { parseFlags } from "../args.js";
import type { CliContext, Command } from "../context.js";
import { style } from "../format.js";
import { cliSettings } from "../open-provider.js";

const MASK = "[REDACTED]";

/** A URL without userinfo and with secret-looking query values masked. */
function safeUrl(text: string): string {
  if (!URL.canParse(text)) return redact(text);
  const url = new URL(text);
  const secretParams = [...url.searchParams.keys()].filter((key) => SECRET_HEADER.test(key));
  // Rebuilt only when something is masked, so the URL otherwise reads exactly as written.
  if (!url.username && !url.password && secretParams.length === 0) return redact(text);
  url.username = url.username || url.password ? "***" : "";
  url.password = "";
  for (const key of secretParams) url.searchParams.set(key, MASK);
  return redact(url.toString());
}

function maskMap(map: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, SECRET_HEADER.test(key) ? MASK : redact(value)]));
}

function envState(env: Env, name: string): string {
  return `env ${name} (${env[name] ? "set" : "unset"})`;
}

/** What `show` prints for a provider: shape and sources, no secret values. */
function describeProvider(config: CustomProviderConfig, env: Env): Record<string, unknown> {
  const auth = config.requires_openai_auth
    ? `your OpenAI credential (${config.auth ?? "first available: openai, chatgpt, chatgpt-codex"})`
    : config.env_key
      ? envState(env, config.env_key)
      : "none";
  return {
    name: config.name,
    base_url: safeUrl(config.base_url),
    wire_api: config.wire_api ?? "responses",
    auth,
    headers: maskMap(config.headers),
    env_headers: config.env_headers && Object.fromEntries(Object.entries(config.env_headers).map(([header, name]) => [header, envState(env, name)])),
    query_params: maskMap(config.query_params),
    models: config.models,
    experimental: config.experimental ?? false,
  };
}

/** A setting's value as shown: URLs lose their credentials, other values stay as they are. */
function safeValue(key: keyof Settings, value: unknown): unknown {
  return typeof value === "string" && (key.endsWith("_url") || key === "proxy") ? safeUrl(value) : value;
}

async function show(args: string[], context: CliContext): Promise<number> {
  const { values } = parseFlags(args, { ...SETTING_FLAGS, ...SERVE_SETTING_FLAGS, json: { type: "boolean" } });
  const { settings, config } = await cliSettings(values, context);
  const providers = Object.fromEntries(Object.entries(config.data.providers ?? {}).map(([name, p]) => [name, describeProvider(p, context.env)]));
  if (values.json) {
    const shown = Object.fromEntries(SETTING_KEYS.map((key) => [key, { ...settings[key], value: safeValue(key, settings[key].value) }]));
    context.stdout.write(`${JSON.stringify({ file: config.path, exists: config.exists, settings: shown, providers, warnings: config.warnings }, null, 2)}\n`);
    return 0;
  }
  const s = style(context.color);
  context.stdout.write(`config file: ${config.path}${config.exists ? "" : s.dim(" (not found: defaults apply)")}\n\n`);
  const width = Math.max(...SETTING_KEYS.map((key) => key.length));
  for (const key of SETTING_KEYS) {
    const { value, source, origin } = settings[key];
    const from = `${source}${origin ? ` ${origin}` : ""}`;
    const shown = value === undefined ? "(provider/model default)" : String(safeValue(key, value));
    context.stdout.write(`${key.padEnd(width)}  ${shown.padEnd(34)}  ${s.dim(from)}\n`);
  }
  for (const [name, description] of Object.entries(providers)) {
    context.stdout.write(`\n[providers.${name}]\n`);
    for (const [field, value] of Object.entries(description)) {
      if (value !== undefined) context.stdout.write(`  ${field} = ${typeof value === "string" ? value : JSON.stringify(value)}\n`);
    }
  }
  for (const warning of config.warnings) context.stderr.write(s.yellow(`warning: ${warning}\n`));
  return 0;
}

async function validate(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(args, { json: { type: "boolean" } }, true);
  const explicit = positionals[0];
  const config = await loadConfig(context.env, explicit);
  if (explicit && !config.exists) throw new ProviderError("config_error", `${explicit}: no such file.`);
  const count = Object.keys(config.data.providers ?? {}).length;
  if (values.json) {
    context.stdout.write(`${JSON.stringify({ file: config.path, exists: config.exists, valid: true, providers: count, warnings: config.warnings })}\n`);
  } else {
    context.stdout.write(config.exists ? `${config.path}: valid (${count} custom provider${count === 1 ? "" : "s"})\n` : `${config.path}: not found; defaults apply\n`);
    for (const warning of config.warnings) context.stderr.write(`warning: ${warning}\n`);
  }
  return 0;
}

async function importCodex(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(args, { write: { type: "boolean" }, json: { type: "boolean" } }, true);
  const source = positionals[0] ?? join(codexHome(context.env), "config.toml");
  const text = readConfigText(source);
  if (text === undefined) {
    throw new ProviderError("config_error", `No Codex config at ${source}.`, { hint: "Pass its path: codex-provider config import-codex PATH" });
  }
  const { config, notMapped, notes } = convertCodexConfig(await parseToml(source, text));
  const toml = `# Imported from ${source} by codex-provider ${VERSION} (config import-codex).\n${stringify(config).trimEnd()}\n`;
  let written: string | undefined;
  if (values.write) {
    written = configFile(stateHome(context.env));
    mkdirSync(dirname(written), { recursive: true, mode: 0o700 });
    try {
      // "wx": never overwrite an existing config; headers may hold secrets, hence 0600.
      writeFileSync(written, toml, { flag: "wx", mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      throw new ProviderError("config_error", `${written} already exists; it was left unchanged.`, {
        hint: "Print the import instead (codex-provider config import-codex) and merge it by hand.",
      });
    }
  }
  if (values.json) {
    context.stdout.write(`${JSON.stringify({ source, written, config, notMapped, notes }, null, 2)}\n`);
    return 0;
  }
  if (written) context.stdout.write(`Wrote ${written}\n`);
  else context.stdout.write(toml);
  const s = style(context.color);
  for (const note of notes) context.stderr.write(s.dim(`note: ${note}\n`));
  for (const line of notMapped) context.stderr.write(s.yellow(`not mapped: ${line}\n`));
  return 0;
}

export const command: Command = {
  summary: "Show, check or import the configuration (config.toml)",
  help: `Usage: codex-provider config <path|show|validate|import-codex> [options]

  path                      print where config.toml is ($CODEX_PROVIDER_HOME/config.toml)
  show [--json] [flags]     every setting, its value and where it came from
                            (flag, env, config file and line, default), and the custom
                            providers with secrets masked; takes the setting flags
                            (--model, --provider, …) to preview their effect
  validate [PATH] [--json]  check a config file; exit 2 with file:line:column on errors
  import-codex [PATH]       convert a Codex CLI config (default $CODEX_HOME/config.toml):
                            [model_providers.*], model, model_provider, reasoning effort,
                            verbosity, base URLs; lists what it could not map (stderr)
      --write               write the result to config.toml (only if there is none yet)
      --json                print the result as JSON

Settings: ${SETTING_KEYS.map((key) => `${key} (${SETTINGS[key].env[0]})`).join(", ")}.
Precedence: flag > env > config.toml > default.

Examples:
  codex-provider config show
  codex-provider config show --model gpt-5.4 --json | jq .settings.model
  codex-provider config validate
  codex-provider config import-codex ~/.codex/config.toml --write
`,
  async run(args, context) {
    const [sub, ...rest] = args;
    switch (sub) {
      case "path": {
        const path = configFile(stateHome(context.env));
        context.stdout.write(`${path}\n`);
        return 0;
      }
      case "show":
        return show(rest, context);
      case "validate":
        return validate(rest, context);
      case "import-codex":
        return importCodex(rest, context);
      default:
        throw new ProviderError("config_error", sub ? `Unknown config command "${sub}".` : "Which config command?", {
          hint: "Use one of: codex-provider config path | show | validate | import-codex (see --help).",
        });
    }
  },
};
