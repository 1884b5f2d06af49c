// The CLI over chatgpt-codex as a user meets it: the experimental label and notice,
// usage-limit exit code 4 with plan and local reset time, Codex access tokens (env and
// stored; expired → exit 3 naming where to mint one), and logout revoking the sign-in.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatReset } from "#src/time-format.js";
import { assertNoSecrets, cliEnv, signIn, storedCodexCredential, withCodexEmulator } from "../support/codex.js";
import { withHome } from "../support/home.js";
import { runCli } from "../support/cli.js";

const NOTICE = /chatgpt-codex is EXPERIMENTAL \(ChatGPT-backed\)/g;

test("experimental: the notice appears once per process on stderr; --quiet and CODEX_PROVIDER_EXPERIMENTAL_NOTICE=0 silence it", async () => {
  await withCodexEmulator({}, (emu, ports) =>
    withHome(async (home) => {
      const credential = await signIn(emu, home, ports);
      const env = cliEnv(emu, home);
      const models = await runCli(["models", "--provider", "chatgpt-codex"], { env, inherit: false });
      assert.equal(models.code, 0, models.stderr);
      assert.equal(models.stderr.match(NOTICE)?.length, 1, "exactly once");
      assert.match(models.stderr, /chatgpt-codex: experimental, ChatGPT-backed provider/);
      assert.match(models.stdout, /^gpt-5\.5 {2}GPT-5\.5$/m);

      const ask = await runCli(["ask", "--provider", "chatgpt-codex", "hello"], { env, inherit: false });
      assert.equal(ask.code, 0, ask.stderr);
      assert.equal(ask.stderr.match(NOTICE)?.length, 1);
      assert.ok(ask.stdout.length > 0);

      assert.doesNotMatch((await runCli(["ask", "--provider", "chatgpt-codex", "--quiet", "hi"], { env, inherit: false })).stderr, NOTICE);
      assert.doesNotMatch((await runCli(["ask", "--provider", "chatgpt-codex", "hi"], { env: { ...env, CODEX_PROVIDER_EXPERIMENTAL_NOTICE: "0" }, inherit: false })).stderr, NOTICE);

      const status = await runCli(["status"], { env, inherit: false });
      assert.match(status.stdout, /chatgpt-codex \(experimental, ChatGPT-backed\)/);
      const help = await runCli(["login", "--help"], { env, inherit: false });
      assert.match(help.stdout, /chatgpt-codex \(EXPERIMENTAL, ChatGPT-backed/);
      assert.match(help.stdout, /Refresh tokens rotate/);

      assertNoSecrets(models.stdout + models.stderr + ask.stdout + ask.stderr + status.stdout, [credential.accessToken, credential.refreshToken, credential.idToken]);
    }),
  );
});

test("usage limit: exit code 4, plan and the reset time in local time; the request is not retried", async () => {
  await withCodexEmulator({ usageBudget: 0, usageResetSeconds: 8040 }, (emu, ports) =>
    withHome(async (home) => {
      await signIn(emu, home, ports);
      const started = Date.now();
      const result = await runCli(["ask", "--provider", "chatgpt-codex", "hello"], { env: cliEnv(emu, home), inherit: false });
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /error: The usage limit has been reached/);
      // "at 16:40", or "at Nov 27 01:04" when the reset falls on another day.
      const line = result.stderr.match(/Usage limit \(plan: plus\) resets in 2 h 1[34] min, at ([^.]+)\./);
      assert.ok(line, result.stderr);
      // The printed clock time is the reset in this machine's local time.
      const at = (resetsAt: number) => formatReset(resetsAt, started).split(", at ")[1];
      assert.ok([at(started + 8040 * 1000), at(started + 8041 * 1000)].includes(line[1]), line[1]);
      assert.equal(emu.requests.filter((r) => r.path === "/backend-api/codex/responses").length, 1);
    }),
  );
});

test("CODEX_ACCESS_TOKEN: whoami names the workspace, requests carry the at- token and account (FedRAMP flagged)", async () => {
  await withCodexEmulator({}, (emu) =>
    withHome(async (home) => {
      const token = emu.auth.mintCodexAccessToken({ expiresInSeconds: 3600, fedramp: true });
      const env = cliEnv(emu, home, { CODEX_ACCESS_TOKEN: token });
      const result = await runCli(["ask", "--provider", "chatgpt-codex", "hello"], { env, inherit: false });
      assert.equal(result.code, 0, result.stderr);
      const whoami = emu.requests.filter((r) => r.path === "/auth/api/accounts/v1/user-auth-credential/whoami");
      assert.equal(whoami.length, 1);
      const [call] = emu.requests.filter((r) => r.path === "/backend-api/codex/responses");
      assert.equal(call.headers.authorization, `Bearer ${token}`);
      assert.equal(call.headers["chatgpt-account-id"], emu.auth.user.accountId);
      assert.equal(call.headers["x-openai-fedramp"], "true");
      const status = await runCli(["status", "--provider", "chatgpt-codex"], { env, inherit: false });
      assert.match(status.stdout, /Codex access token from CODEX_ACCESS_TOKEN \(sha256:[0-9a-f]{8}\)/);
      assertNoSecrets(result.stdout + result.stderr + status.stdout, [token]);
    }),
  );
});

test("an expired CODEX_ACCESS_TOKEN: exit 3 and where to mint a new one", async () => {
  await withCodexEmulator({}, (emu) =>
    withHome(async (home) => {
      const token = emu.auth.mintCodexAccessToken({ expiresInSeconds: 0 });
      const result = await runCli(["ask", "--provider", "chatgpt-codex", "hello"], { env: cliEnv(emu, home, { CODEX_ACCESS_TOKEN: token }), inherit: false });
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /Codex access token was rejected \(Provided authentication token is expired\.\)/);
      assert.match(result.stderr, /https:\/\/chatgpt\.com\/admin\/access-tokens/);
      assert.equal(emu.requests.filter((r) => r.path === "/backend-api/codex/responses").length, 0);
      assertNoSecrets(result.stderr, [token]);
    }),
  );
});

test("login --with-access-token: stdin only; stored with its workspace; a later 401 is exit 3, not a refresh", async () => {
  await withCodexEmulator({}, (emu) =>
    withHome(async (home) => {
      const env = cliEnv(emu, home);
      const token = emu.auth.mintCodexAccessToken({ expiresInSeconds: 3600 });
      const login = await runCli(["login", "--provider", "chatgpt-codex", "--with-access-token"], { env, inherit: false, stdin: `${token}\n` });
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stdout, /chatgpt-codex \(experimental, ChatGPT-backed\) with a Codex access token \(sha256:[0-9a-f]{8}, no refresh\): ad\*\*\*@example\.com, account 0f6c/);
      const stored = await storedCodexCredential(home);
      assert.equal(stored?.type, "access-token");
      assert.equal(stored?.type === "access-token" && stored.accountId, emu.auth.user.accountId);

      assert.equal((await runCli(["ask", "--provider", "chatgpt-codex", "hi"], { env, inherit: false })).code, 0);
      emu.auth.expireAccessTokens();
      const expired = await runCli(["ask", "--provider", "chatgpt-codex", "hi"], { env, inherit: false });
      assert.equal(expired.code, 3, expired.stderr);
      assert.match(expired.stderr, /access tokens cannot be refreshed/);
      assert.match(expired.stderr, /admin\/access-tokens/);
      assert.equal(emu.auth.stats.refreshes, 0);

      const notAToken = await runCli(["login", "--provider", "chatgpt-codex", "--with-access-token"], { env, inherit: false, stdin: "eyJhbGciOi.agent.identity\n" });
      assert.equal(notAToken.code, 2);
      assert.match(notAToken.stderr, /start with "at-"/);
      assertNoSecrets(login.stdout + login.stderr + expired.stderr, [token]);
    }),
  );
});

test("logout revokes the refresh token (best effort) and deletes the credential; --no-revoke keeps it valid", async () => {
  await withCodexEmulator({}, (emu, ports) =>
    withHome(async (home) => {
      const env = cliEnv(emu, home);
      await signIn(emu, home, ports);
      const out = await runCli(["logout", "--provider", "chatgpt-codex"], { env, inherit: false });
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /revoked \(this signs out every copy of it, Codex CLI's included\)/);
      assert.equal(emu.auth.stats.revocations, 1);
      const revoke = emu.requests.find((r) => r.path === "/auth/oauth/revoke");
      assert.equal(revoke?.headers["content-type"], "application/json");
      assert.equal(await storedCodexCredential(home), undefined);

      await signIn(emu, home, ports);
      const kept = await runCli(["logout", "--provider", "chatgpt-codex", "--no-revoke"], { env, inherit: false });
      assert.match(kept.stdout, /not revoked \(--no-revoke\)/);
      assert.equal(emu.auth.stats.revocations, 1);
      assert.match((await runCli(["logout", "--provider", "chatgpt-codex"], { env, inherit: false })).stdout, /No stored chatgpt-codex sign-in/);
    }),
  );
});
