// Codex auth.json interop (docs/protocol.md#codex-auth-file): import → export byte-compatible fields,
// 0600 and atomic, the API-key mode, refusals that never echo file contents, and the
// real Codex CLI (0.169.0, when installed) accepting what export-codex writes.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CredentialStore } from "#src/auth/store/index.js";
import { agentIdentityAuthFile, apiKeyAuthFile, chatgptAuthFile, type CodexTokens } from "./fixtures/auth-files.js";
import { assertNoSecrets, cliEnv, signIn, storedCodexCredential, withCodexEmulator } from "../../support/codex.js";
import { withHome } from "../../support/home.js";
import { runCli } from "../../support/cli.js";

const CODEX_BIN = fileURLToPath(new URL("../../../../node_modules/@openai/codex/bin/codex.js", import.meta.url));

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

test("import → export: the same four tokens and last_refresh, auth_mode chatgpt, mode 0600; the imported login works", async () => {
  await withCodexEmulator({}, (emu, ports) =>
    withHome(async (home) => {
      // Real tokens from the emulator, saved the way Codex saves them.
      const login = await signIn(emu, home, ports, "seed");
      const tokens: CodexTokens = { id_token: login.idToken!, access_token: login.accessToken, refresh_token: login.refreshToken, account_id: login.accountId! };
      const original = chatgptAuthFile(tokens);
      const codexHome = join(home, "codex-home");
      await mkdir(codexHome);
      await writeFile(join(codexHome, "auth.json"), pretty(original), { mode: 0o600 });
      const env = cliEnv(emu, home, { CODEX_HOME: codexHome });

      const imported = await runCli(["login", "--provider", "chatgpt-codex", "--import-codex"], { env, inherit: false });
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout, new RegExp(`with the Codex login imported from ${join(codexHome, "auth.json")}: ad\\*\\*\\*@example\\.com, account ${login.accountId}, plan plus`));
      assert.match(imported.stdout, /Warning: Refresh tokens rotate/);
      assert.match(imported.stdout, /whichever refreshes second is signed out \(refresh_token_reused\)/);
      const stored = await storedCodexCredential(home);
      assert.equal(stored?.type === "oauth" && stored.lastRefresh, "2026-01-02T03:04:05.123456Z", "kept verbatim");
      assert.equal((await runCli(["ask", "-p", "chatgpt-codex", "-q", "hi"], { env, inherit: false })).code, 0, "the imported sign-in is usable");

      const out = join(home, "exported", "auth.json");
      const exported = await runCli(["export-codex", out], { env, inherit: false });
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stdout, /Wrote .* \(mode 0600\)/);
      assert.match(exported.stdout, /Warning: Refresh tokens rotate/);
      const text = await readFile(out, "utf8");
      assert.equal(text, pretty({ auth_mode: "chatgpt", ...original }), "Codex's layout and key order, every value unchanged");
      if (process.platform !== "win32") assert.equal((await stat(out)).mode & 0o777, 0o600);

      const again = await runCli(["export-codex", out], { env, inherit: false });
      assert.equal(again.code, 2, "an existing file is not replaced without --force");
      assert.match(again.stderr, /already exists; pass --force/);
      assert.equal((await runCli(["export-codex", out, "--force"], { env, inherit: false })).code, 0);

      const all = [imported, exported, again].map((r) => r.stdout + r.stderr).join("");
      assertNoSecrets(all, [tokens.id_token, tokens.access_token, tokens.refresh_token]);
    }),
  );
});

test("an apikey auth.json is stored for provider openai", async () => {
  await withCodexEmulator({}, (emu) =>
    withHome(async (home) => {
      const file = join(home, "auth.json");
      await writeFile(file, pretty(apiKeyAuthFile(emu.apiKey)));
      const result = await runCli(["login", "--provider", "chatgpt-codex", `--import-codex=${file}`], { env: cliEnv(emu, home), inherit: false });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /holds an API-key login; stored the key sha256:[0-9a-f]{8} for provider openai/);
      const data = await new CredentialStore({ home }).read("default");
      assert.equal(data.credentials.openai?.type === "api-key" && data.credentials.openai.key, emu.apiKey);
      assert.equal(data.credentials["chatgpt-codex"], undefined);
      assertNoSecrets(result.stdout + result.stderr, [emu.apiKey]);
    }),
  );
});

test("unusable files are refused by field name, never by content", async () => {
  await withCodexEmulator({}, (emu) =>
    withHome(async (home) => {
      const secret = "rt_SECRET-VALUE-THAT-MUST-NOT-LEAK-123456";
      const cases: Array<[string, string, RegExp]> = [
        ["not-json.json", `{"tokens": {"refresh_token": "${secret}"`, /is not valid JSON/],
        ["no-refresh.json", pretty(chatgptAuthFile({ id_token: "a.b.c", access_token: "x", refresh_token: "", account_id: null })), /tokens\.refresh_token is missing/],
        ["bad-id-token.json", pretty(chatgptAuthFile({ id_token: secret, access_token: "x", refresh_token: secret, account_id: null })), /tokens\.id_token is not a JWT/],
        ["agent.json", pretty(agentIdentityAuthFile(secret)), /auth_mode "agentIdentity", and only "chatgpt" and "apikey"/],
        ["missing.json", "", /No Codex auth\.json at .*missing\.json/],
      ];
      for (const [name, content, message] of cases) {
        const path = join(home, name);
        if (content) await writeFile(path, content);
        const result = await runCli(["login", "--provider", "chatgpt-codex", "--import-codex", path], { env: cliEnv(emu, home), inherit: false });
        assert.equal(result.code, 2, `${name}: ${result.stderr}`);
        assert.match(result.stderr, message, name);
        assertNoSecrets(result.stdout + result.stderr, [secret]);
      }
      assert.equal(await storedCodexCredential(home), undefined);
    }),
  );
});

test("export-codex without a ChatGPT sign-in: exit 3 with what to do", async () => {
  await withCodexEmulator({}, (emu) =>
    withHome(async (home) => {
      const env = cliEnv(emu, home);
      const none = await runCli(["export-codex", join(home, "a.json")], { env, inherit: false });
      assert.equal(none.code, 3);
      assert.match(none.stderr, /Sign in first: codex-provider login --provider chatgpt-codex/);
      const token = emu.auth.mintCodexAccessToken();
      assert.equal((await runCli(["login", "--provider", "chatgpt-codex", "--with-access-token"], { env, inherit: false, stdin: token })).code, 0);
      const accessToken = await runCli(["export-codex", join(home, "a.json")], { env, inherit: false });
      assert.equal(accessToken.code, 3);
      assert.match(accessToken.stderr, /give Codex the token as CODEX_ACCESS_TOKEN/);
    }),
  );
});

test("Codex CLI 0.169.0 `codex login status` accepts a file written by export-codex", { skip: !existsSync(CODEX_BIN) && "@openai/codex is not installed" }, async () => {
  await withCodexEmulator({}, (emu, ports) =>
    withHome(async (home) => {
      await signIn(emu, home, ports);
      const codexHome = join(home, "codex-home");
      const env = cliEnv(emu, home, { CODEX_HOME: codexHome });
      const exported = await runCli(["export-codex"], { env, inherit: false });
      // The CLI's stderr (redacted by the CLI itself) says why, should this fail.
      assert.equal(exported.code, 0, `default path: $CODEX_HOME/auth.json; stderr: ${exported.stderr}`);
      assert.ok(existsSync(join(codexHome, "auth.json")));

      const { spawn } = await import("node:child_process");
      const codex = spawn(process.execPath, [CODEX_BIN, "login", "status"], { env: { PATH: process.env.PATH ?? "", HOME: home, CODEX_HOME: codexHome } });
      let output = "";
      codex.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      codex.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => codex.once("close", resolve));
      assert.equal(code, 0, output);
      assert.match(output, /Logged in using ChatGPT/);
    }),
  );
});
