// `config import-codex`: a Codex CLI config.toml -> our config. Provider tables map key
// by key (docs/protocol.md#codex-cli-client); everything that has no counterpart is listed, never guessed
// and never echoed (Codex may hold a literal bearer token).
import { BUILTIN_PROVIDERS, type CustomProviderConfig } from "./providers.js";
import { validateConfig, type ConfigData } from "./schema.js";

type Table = Record<string, unknown>;

export interface CodexImport {
  config: ConfigData;
  /** One line per Codex key that was not carried over, with the reason. */
  notMapped: string[];
  /** Choices made on the user's behalf (renames, assumed defaults). */
  notes: string[];
}

const TOP_LEVEL: Record<string, keyof ConfigData> = {
  model: "model",
  model_reasoning_effort: "reasoning_effort",
  model_verbosity: "verbosity",
  openai_base_url: "api_url",
  chatgpt_base_url: "chatgpt_url",
};

const PROVIDER_KEYS: Record<string, keyof CustomProviderConfig> = {
  name: "name",
  base_url: "base_url",
  wire_api: "wire_api",
  env_key: "env_key",
  env_key_instructions: "env_key_instructions",
  requires_openai_auth: "requires_openai_auth",
  http_headers: "headers",
  env_http_headers: "env_headers",
  query_params: "query_params",
};

const PROVIDER_REASONS: Record<string, string> = {
  experimental_bearer_token: "a literal token is not kept in config; put it in an environment variable and set env_key",
  auth: "command-based tokens are not supported; use env_key",
  request_max_retries: "set the top-level max_retries instead",
  stream_max_retries: "set the top-level max_retries instead",
  stream_idle_timeout_ms: "set the top-level idle_timeout_ms instead",
  websocket_connect_timeout_ms: "codex-provider does not use WebSockets",
  supports_websockets: "codex-provider does not use WebSockets",
};

/** Codex's built-in local providers, for a `model_provider` that names one without defining it. */
const CODEX_BUILTINS: Record<string, CustomProviderConfig> = {
  ollama: { name: "Ollama", base_url: "http://localhost:11434/v1", wire_api: "chat" },
  lmstudio: { name: "LM Studio", base_url: "http://localhost:1234/v1", wire_api: "chat" },
};

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function convertProvider(id: string, source: Table, notMapped: string[]): CustomProviderConfig {
  const out: Table = {};
  for (const [key, value] of Object.entries(source)) {
    const target = PROVIDER_KEYS[key];
    if (target) out[target] = value;
    else notMapped.push(`model_providers.${id}.${key}: ${PROVIDER_REASONS[key] ?? "no codex-provider equivalent"}`);
  }
  return out as unknown as CustomProviderConfig;
}

/** Our id for a Codex provider id: the built-in names are taken. */
function ourId(id: string): string {
  return (BUILTIN_PROVIDERS as readonly string[]).includes(id) ? `${id}-imported` : id;
}

export function convertCodexConfig(codex: Table): CodexImport {
  const config: Table = {};
  const notMapped: string[] = [];
  const notes: string[] = [];
  const ignored: string[] = [];

  const providers: Record<string, CustomProviderConfig> = {};
  const codexProviders = isTable(codex.model_providers) ? codex.model_providers : {};
  for (const [id, table] of Object.entries(codexProviders)) {
    if (!isTable(table)) {
      notMapped.push(`model_providers.${id}: not a table`);
      continue;
    }
    const converted = convertProvider(id, table, notMapped);
    const check = validateConfig({ providers: { [ourId(id)]: converted } });
    if (!check.ok) {
      notMapped.push(`model_providers.${id}: skipped (${check.issues.map((issue) => `${issue.path.slice(2).join(".") || "table"}: ${issue.message}`).join("; ")})`);
      continue;
    }
    if (ourId(id) !== id) notes.push(`model_providers.${id} became [providers.${ourId(id)}] ("${id}" is a built-in codex-provider id).`);
    providers[ourId(id)] = converted;
  }

  for (const [key, value] of Object.entries(codex)) {
    if (key === "model_providers") continue;
    if (key === "model_provider") {
      const id = String(value);
      if (id === "openai") {
        notes.push(
          'model_provider = "openai" was not carried over: in Codex it means whichever login Codex has. Here use provider = "openai" for an API key or "chatgpt-codex" for your ChatGPT sign-in.',
        );
      } else if (providers[ourId(id)]) {
        config.provider = ourId(id);
      } else if (CODEX_BUILTINS[id]) {
        providers[id] = CODEX_BUILTINS[id];
        config.provider = id;
        notes.push(`model_provider = "${id}" is built into Codex; added [providers.${id}] at ${CODEX_BUILTINS[id].base_url} with wire_api = "chat".`);
      } else {
        notMapped.push(`model_provider = "${id}": no such provider was imported`);
      }
      continue;
    }
    const target = TOP_LEVEL[key];
    if (target) config[target] = value;
    else if (key === "profile" || key === "profiles") notMapped.push(`${key}: Codex profiles are sets of config values; codex-provider profiles are credential profiles`);
    else ignored.push(key);
  }
  if (Object.keys(providers).length > 0) config.providers = providers;
  if (ignored.length > 0) notMapped.push(`not about model providers, ignored: ${ignored.join(", ")}`);

  const check = validateConfig(config);
  if (!check.ok) {
    // A top-level value we cannot take (e.g. an effort we do not know): drop it and say so.
    for (const issue of check.issues) {
      const [key] = issue.path;
      if (typeof key === "string" && key !== "providers") {
        delete config[key];
        const codexKey = Object.keys(TOP_LEVEL).find((name) => TOP_LEVEL[name] === key) ?? key;
        notMapped.push(`${codexKey}: ${issue.message}`);
      }
    }
  }
  return { config: config as ConfigData, notMapped, notes };
}
