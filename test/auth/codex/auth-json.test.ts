// Codex auth.json interop (docs/protocol.md#codex-auth-file): import → export byte-compatible fields,
// 0600 and atomic, the API-key and access-token modes, refusals that never echo file contents,
// and the real Codex CLI (the devDependency, when installed) writing what we import and accepting what
// export-codex writes.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { CredentialStore } from "#src/auth/store/index.js";
import { accessTokenAuthFile, agentIdentityAuthFile, apiKeyAuthFile, chatgptAuthFile, type CodexTokens } from "./fixtures/auth-files.js";
import { assertNoSecrets, cliEnv, signIn, storedCodexCredential, withCodexEmulator } from "../../support/codex.js";
import { withHome } from "../../support/home.js";
import { runCli } from "../../support/cli.js";
import { CODEX, runCodexCommand } from "../../server/codex-runner.js";


function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * The real Codex CLI in a clean environment, its output as one text; `authApi` points its
 * access-token check (whoami, `CODEX_AUTHAPI_BASE_URL`) at the emulator.
 */
async function runCodexCli(args: string[], env: { home: string; codexHome: string; authApi?: string }, stdin = ""): Promise<{ code: number | null; output: string }> {
  const authApi: Record<string, string> = env.authApi ? { CODEX_AUTHAPI_BASE_URL: env.authApi } : {};
  const { code, stdout, stderr } = await runCodexCommand(args, { HOME: env.home, CODEX_HOME: env.codexHome, ...authApi }, { stdin });
  return { code, output: stdout + stderr };
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
        ["agent.json", pretty(agentIdentityAuthFile(secret)), /auth_mode "agentIdentity", and only ChatGPT sign-ins, API keys and access tokens/],
        ["bedrock.json", pretty({ OPENAI_API_KEY: null, bedrock_api_key: { api_key: secret, region: "us-east-1" } }), /a "bedrock" login \(no auth_mode; read from its fields\)/],
        ["empty-pat.json", pretty(accessTokenAuthFile("")), /personal_access_token is missing/],
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

test("export-codex without a chatgpt-codex sign-in: exit 3 with what to do", async () => {
  await withCodexEmulator({}, (emu) =>
    withHome(async (home) => {
      const none = await runCli(["export-codex", join(home, "a.json")], { env: cliEnv(emu, home), inherit: false });
      assert.equal(none.code, 3);
      assert.match(none.stderr, /No chatgpt-codex sign-in to export \(profile default\)/);
      assert.match(none.stderr, /Sign in first: codex-provider login --provider chatgpt-codex/);
    }),
  );
});

test("an access-token auth.json (with or without auth_mode) is checked and stored as an access token; export writes it back; a rejected one stores nothing", async () => {
  await withCodexEmulator({}, (emu) =>
    withHome(async (home) => {
      const env = cliEnv(emu, home);
      const token = emu.auth.mintCodexAccessToken();
      for (const [name, file] of [
        ["inferred.json", accessTokenAuthFile(token)],
        ["explicit.json", { auth_mode: "personalAccessToken", ...accessTokenAuthFile(token) }],
      ] as const) {
        const path = join(home, name);
        await writeFile(path, pretty(file));
        const imported = await runCli(["login", "--provider", "chatgpt-codex", "--import-codex", path, "--json"], { env, inherit: false });
        assert.equal(imported.code, 0, `${name}: ${imported.stderr}`);
        const summary = JSON.parse(imported.stdout) as Record<string, unknown>;
        assert.match(String(summary.method), /^the Codex access token imported from .*\.json \(sha256:[0-9a-f]{8}, no refresh\)$/);
        assert.equal(summary.accountId, emu.auth.user.accountId);
        assert.equal(summary.warning, undefined, "an access token does not rotate: no warning");
        const stored = await storedCodexCredential(home);
        assert.equal(stored?.type === "access-token" && stored.token, token, name);
        assertNoSecrets(imported.stdout + imported.stderr, [token]);
      }
      assert.equal((await runCli(["ask", "-p", "chatgpt-codex", "-q", "hi"], { env, inherit: false })).code, 0, "the imported token is usable");

      const out = join(home, "exported", "auth.json");
      const exported = await runCli(["export-codex", out], { env, inherit: false });
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stdout, /Wrote .* \(mode 0600\) with the Codex access token sha256:[0-9a-f]{8} for ad\*\*\*@example\.com, account /);
      assert.doesNotMatch(exported.stdout, /Refresh tokens rotate/);
      // Compared without printing: a failure must not show the token.
      assert.ok((await readFile(out, "utf8")) === JSON.stringify(accessTokenAuthFile(token), null, 2), "the layout Codex writes: no auth_mode, no final newline");
      if (process.platform !== "win32") assert.equal((await stat(out)).mode & 0o777, 0o600);
      assertNoSecrets(exported.stdout + exported.stderr, [token]);

      // One the service does not know: nothing is stored over what was there.
      const unknown = "at-not-a-token-the-emulator-issued-0000000000";
      await writeFile(join(home, "unknown.json"), pretty(accessTokenAuthFile(unknown)));
      const rejected = await runCli(["login", "--provider", "chatgpt-codex", "--import-codex", join(home, "unknown.json")], { env, inherit: false });
      assert.equal(rejected.code, 3, rejected.stderr);
      assert.match(rejected.stderr, /The Codex access token was rejected/);
      const kept = await storedCodexCredential(home);
      assert.equal(kept?.type === "access-token" && kept.token, token);
      assertNoSecrets(rejected.stdout + rejected.stderr, [unknown]);
    }),
  );
});

test("Codex CLI's `codex login status` accepts a file written by export-codex", { skip: !existsSync(CODEX) && "@openai/codex is not installed" }, async () => {
  await withCodexEmulator({}, (emu, ports) =>
    withHome(async (home) => {
      await signIn(emu, home, ports);
      const codexHome = join(home, "codex-home");
      const env = cliEnv(emu, home, { CODEX_HOME: codexHome });
      const exported = await runCli(["export-codex"], { env, inherit: false });
      // The CLI's stderr (redacted by the CLI itself) says why, should this fail.
      assert.equal(exported.code, 0, `default path: $CODEX_HOME/auth.json; stderr: ${exported.stderr}`);
      assert.ok(existsSync(join(codexHome, "auth.json")));

      const { code, output } = await runCodexCli(["login", "status"], { home, codexHome });
      assert.equal(code, 0, output);
      assert.match(output, /Logged in using ChatGPT/);
    }),
  );
});

test("Codex CLI's `codex login --with-access-token` file imports; export-codex writes the same bytes back, and Codex reads them", { skip: !existsSync(CODEX) && "@openai/codex is not installed" }, async () => {
  await withCodexEmulator({}, (emu) =>
    withHome(async (home) => {
      const token = emu.auth.mintCodexAccessToken();
      const codexHome = join(home, "codex-home");
      await mkdir(codexHome);
      // Codex checks the token with whoami before it writes the file: here, the emulator's.
      const authApi = `${emu.authUrl}/api/accounts`;
      const codexLogin = await runCodexCli(["login", "--with-access-token"], { home, codexHome, authApi }, `${token}\n`);
      assert.equal(codexLogin.code, 0, codexLogin.output);
      const written = await readFile(join(codexHome, "auth.json"), "utf8");

      const env = cliEnv(emu, home, { CODEX_HOME: codexHome });
      const imported = await runCli(["login", "--provider", "chatgpt-codex", "--import-codex"], { env, inherit: false });
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout, /with the Codex access token imported from .*auth\.json \(sha256:[0-9a-f]{8}, no refresh\): ad\*\*\*@example\.com, account /);
      assert.equal((await runCli(["ask", "-p", "chatgpt-codex", "-q", "hi"], { env, inherit: false })).code, 0);

      const backHome = join(home, "codex-back");
      const exported = await runCli(["export-codex"], { env: { ...env, CODEX_HOME: backHome }, inherit: false });
      assert.equal(exported.code, 0, exported.stderr);
      assert.ok((await readFile(join(backHome, "auth.json"), "utf8")) === written, "byte for byte what Codex wrote (compared without printing the token)");
      const status = await runCodexCli(["login", "status"], { home, codexHome: backHome, authApi });
      assert.equal(status.code, 0, status.output);
      assert.match(status.output, /Logged in using personal access token/);
      assertNoSecrets(imported.stdout + imported.stderr + exported.stdout + exported.stderr, [token]);
    }),
  );
});
