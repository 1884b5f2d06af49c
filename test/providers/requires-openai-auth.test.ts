// `requires_openai_auth = true`: a custom provider sends the user's own OpenAI
// credential — API key (env or stored), Sign in with ChatGPT, or the Codex sign-in —
// the way the built-in provider owning it would (docs/protocol.md#codex-cli-client).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CredentialStore } from "#src/auth/store/index.js";
import type { Emulator } from "#src/emulator/index.js";
import { ProviderError } from "#src/errors.js";
import type { CustomProviderConfig } from "#src/config/providers.js";
import { createProvider } from "#src/providers/registry.js";
import { signIn as siwcSignIn } from "../support/siwc.js";
import { signIn as codexSignIn, withCodexEmulator } from "../support/codex.js";
import { runCli } from "../support/cli.js";
import { withEmulator } from "../support/emulator.js";

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), "cp-shared-auth-"));
  try {
    await fn(home);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

interface Setup {
  emu: Emulator;
  home: string;
  env?: Record<string, string>;
  config?: Partial<CustomProviderConfig>;
  warnings?: string[];
}

function proxy({ emu, home, env = {}, config = {}, warnings = [] }: Setup) {
  return createProvider({
    provider: "proxy",
    home,
    env: { CODEX_PROVIDER_AUTH_URL: emu.authUrl, CODEX_PROVIDER_API_URL: emu.apiUrl, ...env },
    customProviders: { proxy: { base_url: emu.apiUrl, requires_openai_auth: true, ...config } },
    onNotice: (notice) => warnings.push(notice.message),
  });
}

function lastInference(emu: Emulator, path = "/v1/responses") {
  const request = emu.requests.filter((r) => r.path === path).at(-1);
  assert.ok(request, `a request to ${path}`);
  return request;
}

async function storeApiKey(home: string, key: string): Promise<void> {
  await new CredentialStore({ home }).modify("default", (data) => {
    data.credentials.openai = { type: "api-key", key, savedAt: new Date().toISOString() };
  });
}

describe("requires_openai_auth", () => {
  it("sends the API key from OPENAI_API_KEY, with Codex's stateless body", async () => {
    await withEmulator({}, async (emu) => {
      await withHome(async (home) => {
        const result = await proxy({ emu, home, env: { OPENAI_API_KEY: emu.apiKey } }).complete({ model: "gpt-5.4-mini", input: "hi" });
        assert.match(result.text, /hi/);
        const request = lastInference(emu);
        assert.equal(request.headers.authorization, `Bearer ${emu.apiKey}`);
        const body = request.body as Record<string, unknown>;
        assert.equal(body.store, false);
        assert.deepEqual(body.include, ["reasoning.encrypted_content"]);
      });
    });
  });

  it("sends the stored API key when no env key is set", async () => {
    await withEmulator({}, async (emu) => {
      await withHome(async (home) => {
        await storeApiKey(home, emu.apiKey);
        await proxy({ emu, home }).complete({ model: "gpt-5.4-mini", input: "hi" });
        assert.equal(lastInference(emu).headers.authorization, `Bearer ${emu.apiKey}`);
      });
    });
  });

  it("sends the Sign in with ChatGPT token (auth = \"chatgpt\", and by default when it is the only credential)", async () => {
    await withEmulator({}, async (emu) => {
      await withHome(async (home) => {
        const credential = await siwcSignIn(emu, home);
        for (const config of [{ auth: "chatgpt" as const }, {}]) {
          const result = await proxy({ emu, home, config }).complete({ model: "gpt-5.5", input: "plan usage" });
          assert.match(result.text, /plan usage/);
          assert.equal(lastInference(emu).headers.authorization, `Bearer ${credential.accessToken}`);
        }
      });
    });
  });

  it("sends the Codex sign-in with its account header (auth = \"chatgpt-codex\")", async () => {
    await withCodexEmulator({}, async (emu, ports) => {
      await withHome(async (home) => {
        const credential = await codexSignIn(emu, home, ports);
        const provider = proxy({ emu, home, config: { auth: "chatgpt-codex", base_url: `${emu.chatgptUrl}/codex` } });
        const result = await provider.complete({ model: "gpt-5.5", input: "through the backend", instructions: "Be brief." });
        assert.match(result.text, /through the backend/);
        const request = lastInference(emu, "/backend-api/codex/responses");
        assert.equal(request.headers.authorization, `Bearer ${credential.accessToken}`);
        assert.equal(request.headers["chatgpt-account-id"], credential.accountId);
      });
    });
  });

  it("with several credentials and no `auth`, uses the API key and says so", async () => {
    await withEmulator({}, async (emu) => {
      await withHome(async (home) => {
        await siwcSignIn(emu, home);
        const warnings: string[] = [];
        await proxy({ emu, home, env: { OPENAI_API_KEY: emu.apiKey }, warnings }).complete({ model: "gpt-5.4-mini", input: "hi" });
        assert.equal(lastInference(emu).headers.authorization, `Bearer ${emu.apiKey}`);
        assert.match(warnings.join("\n"), /several credentials are available \(openai, chatgpt\); using openai\. Set auth = /);
      });
    });
  });

  it("ignores env_key, with a warning, exactly as Codex does", async () => {
    await withEmulator({}, async (emu) => {
      await withHome(async (home) => {
        const warnings: string[] = [];
        const provider = proxy({ emu, home, env: { OPENAI_API_KEY: emu.apiKey, OTHER_KEY: "sk-other-key-not-sent" }, config: { env_key: "OTHER_KEY" }, warnings });
        await provider.complete({ model: "gpt-5.4-mini", input: "hi" });
        assert.equal(lastInference(emu).headers.authorization, `Bearer ${emu.apiKey}`);
        assert.match(warnings.join("\n"), /env_key "OTHER_KEY" is ignored because requires_openai_auth = true/);
      });
    });
  });

  it("without any credential: login_required naming every login command; an explicit auth names its own", async () => {
    await withEmulator({}, async (emu) => {
      await withHome(async (home) => {
        await assert.rejects(proxy({ emu, home }).complete({ model: "gpt-5.4-mini", input: "hi" }), (e: unknown) => {
          assert.ok(e instanceof ProviderError && e.code === "login_required");
          assert.match(e.message, /Provider "proxy" uses your OpenAI credential/);
          for (const id of ["openai --with-api-key", "chatgpt", "chatgpt-codex"]) assert.ok(e.hint?.includes(`login --provider ${id}`), e.hint);
          return true;
        });
        await assert.rejects(
          proxy({ emu, home, config: { auth: "chatgpt" } }).complete({ model: "gpt-5.4-mini", input: "hi" }),
          (e: unknown) => e instanceof ProviderError && e.code === "login_required" && /login --provider chatgpt/.test(`${e.message} ${e.hint}`),
        );
        assert.equal(emu.requests.length, 0);
      });
    });
  });

  it("the CLI exits 3 with the login commands when no credential exists", async () => {
    await withEmulator({}, async (emu) => {
      await withHome(async (home) => {
        const { writeFile } = await import("node:fs/promises");
        await writeFile(join(home, "config.toml"), `[providers.proxy]\nbase_url = "${emu.apiUrl}"\nrequires_openai_auth = true\n`);
        const run = await runCli(["ask", "-p", "proxy", "-m", "gpt-5.4-mini", "hi"], { env: { CODEX_PROVIDER_HOME: home, OPENAI_API_KEY: undefined, CODEX_ACCESS_TOKEN: undefined } });
        assert.equal(run.code, 3, run.stderr);
        assert.match(run.stderr, /login --provider openai --with-api-key/);
        assert.ok(!run.stderr.includes("    at "), "no stack trace");
      });
    });
  });
});
