// `status` with config.toml: custom providers are listed with where they point and
// whether they are ready, every credential profile is shown, --json is complete, and
// the exit code follows the selected provider (0 usable, 3 not).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CredentialStore } from "#src/auth/store/index.js";
import { runMain, withConfig } from "../support/in-process-cli.js";

const CONFIG = `provider = "ollama"

[providers.ollama]
base_url = "http://localhost:11434/v1"
wire_api = "chat"

[providers.router]
base_url = "https://openrouter.ai/api/v1"
env_key = "ROUTER_KEY"
env_key_instructions = "Create a key at https://openrouter.ai/keys"
experimental = true

[providers.proxy]
base_url = "http://127.0.0.1:18080/v1"
requires_openai_auth = true
`;

interface StatusJson {
  selected: string;
  profile: string;
  usable: boolean;
  profiles: string[];
  providers: Array<{ provider: string; profile: string; usable: boolean; loggedIn: boolean; experimental: boolean; method?: string; hint?: string; custom?: { baseUrl: string; wireApi: string } }>;
}

async function status(home: string, args: string[], env: Record<string, string> = {}) {
  const run = await runMain(["status", "--json", ...args], { CODEX_PROVIDER_HOME: home, ...env });
  return { code: run.code, json: JSON.parse(run.stdout) as StatusJson, run };
}

describe("status with custom providers", () => {
  it("lists built-in and custom providers; exit code follows the selected provider", async () => {
    await withConfig(CONFIG, async (home) => {
      const { code, json } = await status(home, []);
      assert.equal(code, 0, "ollama needs no credential");
      assert.equal(json.selected, "ollama");
      assert.deepEqual(json.providers.map((p) => p.provider), ["openai", "chatgpt", "chatgpt-codex", "ollama", "router", "proxy"]);
      const byId = Object.fromEntries(json.providers.map((p) => [p.provider, p]));
      assert.deepEqual(byId.ollama.custom, { baseUrl: "http://localhost:11434/v1", wireApi: "chat" });
      assert.equal(byId.router.usable, false);
      assert.equal(byId.router.experimental, true);
      assert.equal(byId.router.hint, "Create a key at https://openrouter.ai/keys");
      assert.equal(byId.proxy.usable, false);

      const router = await status(home, ["-p", "router"]);
      assert.equal(router.code, 3);
      const ready = await status(home, ["-p", "router"], { ROUTER_KEY: "rk-123456789" });
      assert.equal(ready.code, 0);
    });
  });

  it("requires_openai_auth follows the credential it would use, per profile", async () => {
    await withConfig(CONFIG, async (home) => {
      await new CredentialStore({ home }).modify("work", (data) => {
        data.credentials.openai = { type: "api-key", key: "sk-stored-key-0123456789", savedAt: new Date().toISOString() };
      });
      const all = await status(home, ["-p", "proxy"]);
      assert.deepEqual(all.json.profiles, ["default", "work"]);
      const proxies = all.json.providers.filter((p) => p.provider === "proxy");
      assert.deepEqual(proxies.map((p) => [p.profile, p.usable]), [["default", false], ["work", true]]);
      assert.match(proxies[1].method ?? "", /your openai credential/);
      assert.equal(all.code, 3, "the selected profile (default) has no credential");
      const work = await status(home, ["-p", "proxy", "--profile", "work"]);
      assert.equal(work.code, 0);
      assert.deepEqual(work.json.profiles, ["work"]);
      assert.ok(!work.run.stdout.includes("sk-stored-key-0123456789"));
    });
  });

  it("the human view shows where custom providers point and what to do", async () => {
    await withConfig(CONFIG, async (home) => {
      const run = await runMain(["status"], { CODEX_PROVIDER_HOME: home });
      assert.match(run.stdout, /● ollama {2}\[profile default\] {2}ready · no credential needed\n {4}chat at http:\/\/localhost:11434\/v1/);
      assert.match(run.stdout, /○ router \(experimental\) {2}\[profile default\] {2}not ready · key from ROUTER_KEY \(unset\)/);
      assert.match(run.stdout, /→ Create a key at https:\/\/openrouter\.ai\/keys/);
      const unknown = await runMain(["status", "-p", "nope"], { CODEX_PROVIDER_HOME: home });
      assert.equal(unknown.code, 2);
    });
  });
});
