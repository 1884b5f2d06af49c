// The precedence table, flag > env > config.toml > default, for every setting, as
// `config show --json` reports it (value and provenance); then that configured values
// really reach the wire.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CredentialStore } from "#src/auth/store/index.js";
import { SETTING_KEYS, SETTINGS, type SettingKey } from "#src/config/settings.js";
import type { Emulator } from "#src/emulator/index.js";
import { runCli } from "../support/cli.js";
import { withEmulator } from "../support/emulator.js";
import { runMain, withConfig } from "../support/in-process-cli.js";

type Value = string | number | boolean | string[];

/** Three distinct valid values per setting: [config, env, flag]. */
const LAYERS: Record<SettingKey, [Value, Value, Value]> = {
  provider: ["local", "chatgpt", "chatgpt-codex"],
  model: ["cfg-model", "env-model", "flag-model"],
  profile: ["cfgprof", "envprof", "flagprof"],
  // A list: a TOML array in config, comma-separated in env and flag.
  fallback: [["openai", "chatgpt:cfg"], ["chatgpt", "openai"], ["chatgpt-codex", "openai:flag"]],
  reasoning_effort: ["low", "medium", "high"],
  verbosity: ["low", "medium", "high"],
  request_timeout_ms: [1000, 2000, 3000],
  idle_timeout_ms: [4000, 5000, 6000],
  max_event_bytes: [65536, 131072, 262144],
  http_client: ["node", "undici", "auto"],
  max_retries: [1, 2, 3],
  api_url: ["http://cfg.example/v1", "http://env.example/v1", "http://flag.example/v1"],
  auth_url: ["http://cfg.example/auth", "http://env.example/auth", "http://flag.example/auth"],
  chatgpt_url: ["http://cfg.example/backend-api", "http://env.example/backend-api", "http://flag.example/backend-api"],
  proxy: ["http://cfg.example:3128", "http://env.example:3128", "http://flag.example:3128"],
  // The flag can only switch the notice off, so the env layer switches it on.
  experimental_notice: [false, true, false],
  max_connections: [10, 20, 30],
  claude_model: ["gpt-5.4", "gpt-5.5,claude-haiku-4-5=gpt-5.4-mini", "gpt-5.5-pro"],
  max_request_body_mib: [1, 2, 3],
  responses_store_max: [10, 20, 30],
  responses_store_mib: [1, 2, 3],
  responses_store_hours: [0, 1, 2],
};

const CONFIG =
  SETTING_KEYS.map((key) => `${key} = ${JSON.stringify(LAYERS[key][0])}`).join("\n") + '\n\n[providers.local]\nbase_url = "http://localhost:9/v1"\n';
const ENV = Object.fromEntries(SETTING_KEYS.map((key) => [SETTINGS[key].env[0], String(LAYERS[key][1])]));
const FLAGS = SETTING_KEYS.flatMap((key) => (typeof LAYERS[key][2] === "boolean" ? [`--${SETTINGS[key].flag}`] : [`--${SETTINGS[key].flag}`, String(LAYERS[key][2])]));

interface Shown {
  value?: Value;
  source: string;
  origin?: string;
}

async function show(home: string, env: Record<string, string>, flags: string[] = []): Promise<Record<SettingKey, Shown>> {
  const run = await runMain(["config", "show", "--json", ...flags], { CODEX_PROVIDER_HOME: home, ...env });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout).settings;
}

describe("precedence: flag > env > config > default", () => {
  it("default: nothing set", async () => {
    await withConfig(undefined, async (home) => {
      const settings = await show(home, {});
      for (const key of SETTING_KEYS) {
        const value = SETTINGS[key].default;
        assert.deepEqual(settings[key], value === undefined ? { source: "default" } : { value, source: "default" }, key);
      }
    });
  });

  it("config beats default, with the file and line as origin", async () => {
    await withConfig(CONFIG, async (home, file) => {
      const settings = await show(home, {});
      SETTING_KEYS.forEach((key, index) => {
        assert.deepEqual(settings[key], { value: LAYERS[key][0], source: "config", origin: `${file}:${index + 1}` }, key);
      });
    });
  });

  it("env beats config", async () => {
    await withConfig(CONFIG, async (home) => {
      const settings = await show(home, ENV);
      for (const key of SETTING_KEYS) assert.deepEqual(settings[key], { value: LAYERS[key][1], source: "env", origin: SETTINGS[key].env[0] }, key);
    });
  });

  it("flag beats env", async () => {
    await withConfig(CONFIG, async (home) => {
      const settings = await show(home, ENV, FLAGS);
      for (const key of SETTING_KEYS) assert.deepEqual(settings[key], { value: LAYERS[key][2], source: "flag", origin: `--${SETTINGS[key].flag}` }, key);
    });
  });

  it("OPENAI_BASE_URL is the second env source of api_url; an empty variable counts as unset", async () => {
    await withConfig(CONFIG, async (home) => {
      const settings = await show(home, { OPENAI_BASE_URL: "http://base.example/v1", CODEX_PROVIDER_API_URL: "", CODEX_PROVIDER_MODEL: "" });
      assert.deepEqual(settings.api_url, { value: "http://base.example/v1", source: "env", origin: "OPENAI_BASE_URL" });
      assert.equal(settings.model.source, "config");
    });
  });

  it("the human view marks each source", async () => {
    await withConfig(CONFIG, async (home, file) => {
      const run = await runMain(["config", "show", "--model", "flag-model"], { CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_VERBOSITY: "high" });
      assert.match(run.stdout, /^model +flag-model +flag --model$/m);
      assert.match(run.stdout, /^verbosity +high +env CODEX_PROVIDER_VERBOSITY$/m);
      assert.match(run.stdout, new RegExp(`^max_retries +1 +config ${file}:${SETTING_KEYS.indexOf("max_retries") + 1}$`, "m"));
    });
  });
});

describe("config show never prints a secret", () => {
  it("masks secret headers, URL credentials and secret query values; env values are only set/unset", async () => {
    const secret = "sk-proj-abcdefghijklmnop0123456789";
    const config = `[providers.azure]
base_url = "https://me:${secret}@example.openai.azure.com/openai/v1"
env_key = "AZURE_KEY"
headers = { "api-key" = "${secret}", "X-Title" = "my tool" }
env_headers = { "X-Org" = "ORG_ID" }
query_params = { api-version = "2025-04-01-preview", key = "${secret}" }
`;
    await withConfig(config, async (home) => {
      for (const args of [["config", "show"], ["config", "show", "--json"]]) {
        const run = await runMain(args, { CODEX_PROVIDER_HOME: home, AZURE_KEY: "azure-env-key-value-123", ORG_ID: "org-secret-id-456" });
        assert.equal(run.code, 0, run.stderr);
        const all = run.stdout + run.stderr;
        for (const value of [secret, "azure-env-key-value-123", "org-secret-id-456"]) assert.ok(!all.includes(value), `${args.join(" ")} printed ${value}`);
        assert.match(all, /env AZURE_KEY \(set\)/);
        assert.match(all, /env ORG_ID \(set\)/);
        assert.match(all, /my tool/);
        assert.match(all, /2025-04-01-preview/);
      }
    });
  });
});

/** `ask` through the CLI with a config file, against the emulator. */
async function askWith(emu: Emulator, config: string, extraEnv: Record<string, string | undefined> = {}, args: string[] = []) {
  return withConfig(config, async (home) => {
    const run = await runMain(["ask", ...args, "hello"], { CODEX_PROVIDER_HOME: home, OPENAI_API_KEY: emu.apiKey, ...extraEnv });
    return { run, home };
  });
}

describe("configured values reach the wire", () => {
  it("api_url, model, reasoning_effort and verbosity from config.toml", async () => {
    await withEmulator({}, async (emu) => {
      const { run } = await askWith(emu, `api_url = "${emu.apiUrl}"\nmodel = "gpt-5.4"\nreasoning_effort = "low"\nverbosity = "high"\n`);
      assert.equal(run.code, 0, run.stderr);
      const body = emu.requests.find((r) => r.path === "/v1/responses")!.body as Record<string, any>;
      assert.equal(body.model, "gpt-5.4");
      assert.equal(body.reasoning.effort, "low");
      assert.deepEqual(body.text, { verbosity: "high" });
    });
  });

  it("max_retries from config bounds the attempts; the flag overrides it", async () => {
    await withEmulator({}, async (emu) => {
      emu.setFault({ name: "rate_limit", times: 20, retryAfterMs: 1 });
      const config = `api_url = "${emu.apiUrl}"\nmax_retries = 1\n`;
      const first = await askWith(emu, config, {}, ["-q"]);
      assert.equal(first.run.code, 5);
      assert.equal(emu.requests.filter((r) => r.path === "/v1/responses").length, 2);
      await askWith(emu, config, {}, ["-q", "--max-retries", "3"]);
      assert.equal(emu.requests.filter((r) => r.path === "/v1/responses").length, 2 + 4);
    });
  });

  it("idle_timeout_ms from config ends a stalled stream", async () => {
    await withEmulator({}, async (emu) => {
      emu.setFault({ name: "idle", after: 1 });
      const started = Date.now();
      const { run } = await askWith(emu, `api_url = "${emu.apiUrl}"\nidle_timeout_ms = 300\n`);
      assert.equal(run.code, 5, run.stderr);
      assert.match(run.stderr, /idle|silent|no data/i);
      assert.ok(Date.now() - started < 10_000);
    });
  });

  it("provider and profile from config select a custom provider and a credential profile", async () => {
    await withEmulator({}, async (emu) => {
      await withConfig(`provider = "emu"\nprofile = "work"\n\n[providers.emu]\nbase_url = "${emu.apiUrl}"\nrequires_openai_auth = true\nmodels = ["gpt-5.4-mini"]\n`, async (home) => {
        await new CredentialStore({ home }).modify("work", (data) => {
          data.credentials.openai = { type: "api-key", key: emu.apiKey, savedAt: new Date().toISOString() };
        });
        const run = await runMain(["ask", "hello"], { CODEX_PROVIDER_HOME: home });
        assert.equal(run.code, 0, run.stderr);
        const request = emu.requests.find((r) => r.path === "/v1/responses")!;
        assert.equal(request.headers.authorization, `Bearer ${emu.apiKey}`);
        assert.equal((request.body as { model: string }).model, "gpt-5.4-mini");
      });
    });
  });

  it("login honours the configured base URL (login modules read base URLs from env only)", async () => {
    await withEmulator({}, async (emu) => {
      await withConfig(`api_url = "${emu.apiUrl}"\n`, async (home) => {
        // `login --provider openai` verifies the key against api_url: it must reach the emulator.
        const result = await runCli(["login", "--provider", "openai", "--with-api-key"], {
          stdin: emu.apiKey,
          env: { CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: undefined, OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined },
        });
        assert.equal(result.code, 0, result.stderr);
        assert.ok(emu.requests.some((r) => r.path === "/v1/models"));
      });
    });
  });
});
