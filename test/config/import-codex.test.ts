// `config import-codex` on a realistic Codex CLI config.toml: providers map key by key,
// the result is a valid config of ours, and everything left behind is reported.
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfigText } from "#src/config/load.js";
import { runMain, withConfig } from "../support/in-process-cli.js";

const LITERAL_TOKEN = "sk-literal-bearer-token-0123456789";

const CODEX_CONFIG = `# ~/.codex/config.toml
model = "gpt-5.5"
model_provider = "azure"
model_reasoning_effort = "high"
model_verbosity = "low"
approval_policy = "on-request"
sandbox_mode = "workspace-write"
openai_base_url = "https://us.api.openai.com/v1"
chatgpt_base_url = "https://chatgpt.com/backend-api/"
profile = "deep"

[model_providers.azure]
name = "Azure OpenAI"
base_url = "https://my-resource.openai.azure.com/openai/v1"
env_key = "AZURE_OPENAI_API_KEY"
wire_api = "responses"
query_params = { api-version = "2025-04-01-preview" }
request_max_retries = 4
stream_idle_timeout_ms = 300000

[model_providers.openrouter]
name = "OpenRouter"
base_url = "https://openrouter.ai/api/v1"
env_key = "OPENROUTER_API_KEY"
env_key_instructions = "Create a key at https://openrouter.ai/keys"
http_headers = { "HTTP-Referer" = "https://example.com", "X-Title" = "my tool" }
env_http_headers = { "X-Org" = "OPENROUTER_ORG" }

[model_providers.local]
name = "local proxy"
base_url = "http://127.0.0.1:18080/v1"
wire_api = "responses"
requires_openai_auth = true
supports_websockets = false

# Collides with a codex-provider built-in id.
[model_providers.chatgpt]
name = "ChatGPT plan"
base_url = "https://api.openai.com/v1"
env_key = "ACCESS_TOKEN"
wire_api = "responses"
requires_openai_auth = false

[model_providers.literal]
name = "Literal token"
base_url = "https://api.example.com/v1"
experimental_bearer_token = "${LITERAL_TOKEN}"

[model_providers.gcloud]
base_url = "https://vertex.example.com/v1"
[model_providers.gcloud.auth]
command = "gcloud"
args = ["auth", "print-access-token"]

[model_providers.broken]
name = "no base_url"

[profiles.deep]
model = "gpt-5.5"
model_reasoning_effort = "xhigh"

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]
`;

async function importFrom(home: string, codexToml: string, args: string[] = []) {
  const source = join(home, "codex-config.toml");
  await writeFile(source, codexToml);
  return runMain(["config", "import-codex", source, ...args], { CODEX_PROVIDER_HOME: home });
}

describe("config import-codex", () => {
  it("converts providers, model and settings; reports what it could not map; never echoes a token", async () => {
    await withConfig(undefined, async (home) => {
      const run = await importFrom(home, CODEX_CONFIG);
      assert.equal(run.code, 0, run.stderr);
      const { data } = await parseConfigText("imported.toml", run.stdout);
      assert.equal(data.model, "gpt-5.5");
      assert.equal(data.provider, "azure");
      assert.equal(data.reasoning_effort, "high");
      assert.equal(data.verbosity, "low");
      assert.equal(data.api_url, "https://us.api.openai.com/v1");
      assert.equal(data.chatgpt_url, "https://chatgpt.com/backend-api/");
      assert.deepEqual(data.providers?.azure, {
        name: "Azure OpenAI",
        base_url: "https://my-resource.openai.azure.com/openai/v1",
        env_key: "AZURE_OPENAI_API_KEY",
        wire_api: "responses",
        query_params: { "api-version": "2025-04-01-preview" },
      });
      assert.deepEqual(data.providers?.openrouter, {
        name: "OpenRouter",
        base_url: "https://openrouter.ai/api/v1",
        env_key: "OPENROUTER_API_KEY",
        env_key_instructions: "Create a key at https://openrouter.ai/keys",
        headers: { "HTTP-Referer": "https://example.com", "X-Title": "my tool" },
        env_headers: { "X-Org": "OPENROUTER_ORG" },
      });
      assert.equal(data.providers?.local.requires_openai_auth, true);
      assert.equal(data.providers?.["chatgpt-imported"]?.env_key, "ACCESS_TOKEN");
      assert.equal(data.providers?.chatgpt, undefined);
      assert.deepEqual(data.providers?.literal, { name: "Literal token", base_url: "https://api.example.com/v1" });
      assert.equal(data.providers?.broken, undefined);

      const report = run.stderr;
      for (const line of [
        /not mapped: model_providers\.azure\.request_max_retries: set the top-level max_retries instead/,
        /not mapped: model_providers\.azure\.stream_idle_timeout_ms: set the top-level idle_timeout_ms instead/,
        /not mapped: model_providers\.local\.supports_websockets: codex-provider does not use WebSockets/,
        /not mapped: model_providers\.literal\.experimental_bearer_token: a literal token is not kept in config; put it in an environment variable and set env_key/,
        /not mapped: model_providers\.gcloud\.auth: command-based tokens are not supported; use env_key/,
        /not mapped: model_providers\.broken: skipped \(base_url: expected an http:\/\/ or https:\/\/ URL, got nothing/,
        /not mapped: profile: Codex profiles are sets of config values/,
        /not mapped: profiles: Codex profiles/,
        /not mapped: not about model providers, ignored: approval_policy, sandbox_mode, mcp_servers/,
        /note: model_providers\.chatgpt became \[providers\.chatgpt-imported\]/,
      ]) {
        assert.match(report, line);
      }
      assert.ok(!(run.stdout + run.stderr).includes(LITERAL_TOKEN), "the literal bearer token was echoed");
    });
  });

  it("a Codex built-in local provider named by model_provider becomes a chat provider; openai is explained, not guessed", async () => {
    await withConfig(undefined, async (home) => {
      const ollama = await importFrom(home, 'model = "llama3.2"\nmodel_provider = "ollama"\n');
      const { data } = await parseConfigText("x.toml", ollama.stdout);
      assert.equal(data.provider, "ollama");
      assert.deepEqual(data.providers?.ollama, { name: "Ollama", base_url: "http://localhost:11434/v1", wire_api: "chat" });
      assert.match(ollama.stderr, /note: model_provider = "ollama" is built into Codex/);

      const openai = await importFrom(home, 'model_provider = "openai"\nmodel_reasoning_effort = "extreme"\n');
      assert.equal((await parseConfigText("x.toml", openai.stdout)).data.provider, undefined);
      assert.match(openai.stderr, /note: model_provider = "openai" was not carried over/);
      assert.match(openai.stderr, /not mapped: model_reasoning_effort: expected one of "none",.*got "extreme"/);
    });
  });

  it("--write creates config.toml (0600) once and refuses to overwrite it", async () => {
    await withConfig(undefined, async (home, file) => {
      const first = await importFrom(home, CODEX_CONFIG, ["--write"]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /Wrote .*config\.toml/);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const validate = await runMain(["config", "validate"], { CODEX_PROVIDER_HOME: home });
      assert.equal(validate.code, 0, validate.stderr);
      const before = await readFile(file, "utf8");
      const second = await importFrom(home, CODEX_CONFIG, ["--write"]);
      assert.equal(second.code, 2);
      assert.match(second.stderr, /already exists; it was left unchanged/);
      assert.equal(await readFile(file, "utf8"), before);
    });
  });

  it("--json carries the converted config and the report; a missing or broken Codex file exits 2", async () => {
    await withConfig(undefined, async (home) => {
      const json = await importFrom(home, CODEX_CONFIG, ["--json"]);
      const parsed = JSON.parse(json.stdout);
      assert.equal(parsed.config.provider, "azure");
      assert.ok(parsed.notMapped.length >= 8);
      const missing = await runMain(["config", "import-codex", join(home, "none.toml")], { CODEX_PROVIDER_HOME: home });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /No Codex config at .*none\.toml/);
      const broken = await importFrom(home, "model = \n");
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, /codex-config\.toml:1:\d+: invalid TOML/);
    });
  });

  it("reads $CODEX_HOME/config.toml by default", async () => {
    await withConfig(undefined, async (home) => {
      await writeFile(join(home, "config.toml"), 'model = "from-codex-home"\n');
      const run = await runMain(["config", "import-codex"], { CODEX_PROVIDER_HOME: join(home, "ours"), CODEX_HOME: home });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /model = "from-codex-home"/);
    });
  });
});
