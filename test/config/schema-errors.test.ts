// Every kind of config mistake: the message names the file, the line and column (or the
// key), and what was expected; the CLI exits 2 with no stack trace.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runMain, withConfig } from "../support/in-process-cli.js";

interface Case {
  name: string;
  toml: string;
  /** Matched against the error output after `<file>:`. */
  expect: RegExp;
}

const CASES: Case[] = [
  { name: "TOML syntax: an unterminated string says so", toml: 'model = "gpt-5.5"\nprovider = "open\n', expect: /:2:17: invalid TOML: unterminated string: close it with " on the same line/ },
  { name: "TOML syntax: a control character inside a closed string keeps the parser's words", toml: 'model = "gpt\u00015.5"\n', expect: /invalid TOML: control characters are not allowed in strings/ },
  { name: "duplicate key", toml: 'model = "a"\nmodel = "b"\n', expect: /:2:1: invalid TOML: trying to redefine an already defined table or value/ },
  { name: "unknown key, with a suggestion", toml: 'modle = "gpt-5.5"\n', expect: /:1:1: modle: unknown key \(did you mean "model"\?\); expected one of: provider, model, profile,/ },
  { name: "string expected", toml: "model = 5\n", expect: /:1:1: model: expected a model id, got 5/ },
  { name: "enum", toml: '\nreasoning_effort = "extreme"\n', expect: /:2:1: reasoning_effort: expected one of "none", "minimal", "low", "medium", "high", "xhigh", got "extreme"/ },
  { name: "verbosity", toml: 'verbosity = "loud"\n', expect: /:1:1: verbosity: expected one of "low", "medium", "high", got "loud"/ },
  { name: "integer range", toml: "max_retries = 99\n", expect: /:1:1: max_retries: expected a whole number from 0 to 20, got 99/ },
  { name: "integer type", toml: 'request_timeout_ms = "60s"\n', expect: /:1:1: request_timeout_ms: expected a whole number from 1 to 3600000, got "60s"/ },
  { name: "URL", toml: 'api_url = "ftp://example.com"\n', expect: /:1:1: api_url: expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/example.com"/ },
  { name: "boolean", toml: 'experimental_notice = "no"\n', expect: /:1:1: experimental_notice: expected true or false, got "no"/ },
  { name: "unknown default provider", toml: 'provider = "ollama"\n', expect: /:1:1: provider: expected a built-in provider \(openai, chatgpt, chatgpt-codex\) or one defined under \[providers.NAME\], got "ollama"/ },
  { name: "providers not a table", toml: "providers = 3\n", expect: /:1:1: providers: expected a table, got 3/ },
  { name: "reserved provider name", toml: '[providers.chatgpt]\nbase_url = "http://x"\n', expect: /:1:1: providers.chatgpt: "chatgpt" is a built-in provider and cannot be redefined; change its address with api_url/ },
  { name: "provider name", toml: '[providers."my provider"]\nbase_url = "http://x"\n', expect: /:1:1: providers."my provider": expected a provider name of letters, digits/ },
  { name: "missing base_url", toml: '[providers.local]\nwire_api = "chat"\n', expect: /:1:1: providers.local.base_url: expected an http:\/\/ or https:\/\/ URL, got nothing \(the key is missing\)/ },
  { name: "wire_api", toml: '[providers.local]\nbase_url = "http://x"\nwire_api = "grpc"\n', expect: /:3:1: providers.local.wire_api: expected one of "responses", "chat", got "grpc"/ },
  { name: "env_key", toml: '[providers.local]\nbase_url = "http://x"\nenv_key = "MY KEY"\n', expect: /:3:1: providers.local.env_key: expected an environment variable name/ },
  { name: "header value in an inline table", toml: '[providers.local]\nbase_url = "http://x"\nheaders = { "X-Title" = "a", X-Retries = 2 }\n', expect: /:3:30: providers.local.headers.X-Retries: expected a string, got 2/ },
  { name: "array element", toml: '[providers.local]\nbase_url = "http://x"\nmodels = ["a", 3]\n', expect: /:3:1: providers.local.models\[1\]: expected a model id, got 3/ },
  { name: "provider boolean", toml: '[providers.local]\nbase_url = "http://x"\nrequires_openai_auth = "yes"\n', expect: /:3:1: providers.local.requires_openai_auth: expected true or false, got "yes"/ },
  { name: "auth value", toml: '[providers.local]\nbase_url = "http://x"\nrequires_openai_auth = true\nauth = "azure"\n', expect: /:4:1: providers.local.auth: expected one of "openai", "chatgpt", "chatgpt-codex", got "azure"/ },
  { name: "auth without requires_openai_auth", toml: '[providers.local]\nbase_url = "http://x"\nauth = "openai"\n', expect: /:3:1: providers.local.auth: auth only applies with requires_openai_auth = true/ },
  { name: "unknown provider key", toml: '[providers.local]\nbase_url = "http://x"\nhttp_headers = {}\n', expect: /:3:1: providers.local.http_headers: unknown key; expected one of: name, base_url, wire_api,/ },
  { name: "dotted keys", toml: 'providers.local.base_url = "http://x"\nproviders.local.wire_api = 1\n', expect: /:2:1: providers.local.wire_api: expected one of "responses", "chat", got 1/ },
];

describe("config errors: file:line:column, key, expectation; exit 2", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      await withConfig(c.toml, async (home, file) => {
        const run = await runMain(["config", "validate"], { CODEX_PROVIDER_HOME: home });
        assert.equal(run.code, 2, run.stderr);
        const first = run.stderr.split("\n")[0];
        assert.ok(first.startsWith(`error: ${file}`), first);
        assert.match(first.slice(`error: ${file}`.length), c.expect);
        assert.match(run.stderr, /Fix .*config\.toml \(check it with: codex-provider config validate\)/);
        assert.ok(!run.stderr.includes("    at "), "no stack trace");
      });
    });
  }

  it("lists every problem, one per line", async () => {
    await withConfig('model = 1\nverbosity = "x"\n', async (home, file) => {
      const run = await runMain(["config", "validate"], { CODEX_PROVIDER_HOME: home });
      assert.equal(run.code, 2);
      assert.match(run.stderr, new RegExp(`${file}:1:1: model: .*\\n${file}:2:1: verbosity: `));
    });
  });

  it("never echoes file contents (a header may hold a secret)", async () => {
    await withConfig('[providers.p]\nbase_url = "http://x"\nheaders = { "api-key" = "sk-proj-very-secret-value-123\n', async (home) => {
      const run = await runMain(["config", "validate"], { CODEX_PROVIDER_HOME: home });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /:3:\d+: invalid TOML/);
      assert.ok(!run.stderr.includes("very-secret"));
    });
  });

  it("every command that reads the config refuses a broken one the same way", async () => {
    await withConfig("max_retries = -1\n", async (home, file) => {
      for (const args of [["ask", "hi"], ["chat"], ["models"], ["status"], ["config", "show"], ["login", "--provider", "openai"]]) {
        const run = await runMain(args, { CODEX_PROVIDER_HOME: home, OPENAI_API_KEY: "sk-test-key-abcdefgh" });
        assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
        assert.ok(run.stderr.startsWith(`error: ${file}:1:1: max_retries: expected a whole number from 0 to 20, got -1`), run.stderr);
      }
    });
  });

  it("an unreadable config file and a missing explicit file are errors; a missing default file is not", async () => {
    await withConfig(undefined, async (home, file) => {
      const missing = await runMain(["config", "validate"], { CODEX_PROVIDER_HOME: home });
      assert.equal(missing.code, 0);
      assert.match(missing.stdout, /not found; defaults apply/);
      const explicit = await runMain(["config", "validate", join(home, "nope.toml")], { CODEX_PROVIDER_HOME: home });
      assert.equal(explicit.code, 2);
      assert.match(explicit.stderr, /nope\.toml: no such file/);
      await mkdir(file);
      const directory = await runMain(["config", "validate"], { CODEX_PROVIDER_HOME: home });
      assert.equal(directory.code, 2);
      assert.match(directory.stderr, new RegExp(`${file}: cannot read the config file \\(EISDIR\\)`));
    });
  });

  it("bad env variables and flags name themselves and what they expect", async () => {
    await withConfig(undefined, async (home) => {
      const env = await runMain(["config", "show"], { CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_MAX_RETRIES: "lots" });
      assert.equal(env.code, 2);
      assert.match(env.stderr, /^error: CODEX_PROVIDER_MAX_RETRIES: expected a whole number from 0 to 20, got "lots"\./);
      const flag = await runMain(["ask", "--idle-timeout", "0", "hi"], { CODEX_PROVIDER_HOME: home });
      assert.equal(flag.code, 2);
      assert.match(flag.stderr, /^error: --idle-timeout: expected a whole number from 1 to 3600000, got "0"\./);
      const bool = await runMain(["config", "show"], { CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_EXPERIMENTAL_NOTICE: "maybe" });
      assert.match(bool.stderr, /CODEX_PROVIDER_EXPERIMENTAL_NOTICE: expected true or false, got "maybe"/);
    });
  });

  it("warns, without failing, when env_key is set next to requires_openai_auth", async () => {
    await withConfig('[providers.p]\nbase_url = "http://x"\nenv_key = "K"\nrequires_openai_auth = true\n', async (home) => {
      const run = await runMain(["config", "validate"], { CODEX_PROVIDER_HOME: home });
      assert.equal(run.code, 0);
      assert.match(run.stdout, /valid \(1 custom provider\)/);
      assert.match(run.stderr, /warning: provider "p": env_key "K" is ignored because requires_openai_auth = true/);
    });
  });
});
