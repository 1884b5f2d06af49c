// Browser sign-in with the Codex client over real sockets: the real CLI prints the
// authorize URL on stderr, the test plays the browser, the CLI stores the sign-in.
import assert from "node:assert/strict";
import { test } from "node:test";
import { codexAuthorizeUrl } from "#src/auth/codex/browser-login.js";
import { codexAuthEndpoints } from "#src/auth/codex/constants.js";
import { AUTHORIZE_URL, assertNoSecrets, startBrowserLogin, cliEnv, freePorts, occupy, playBrowser, storedCodexCredential, withCodexEmulator } from "../../support/codex.js";
import { withHome } from "../../support/home.js";
import { runCli, startCli } from "../../support/cli.js";

test("the authorize URL carries Codex's parameters in Codex's order (docs/protocol.md#codex-browser-login)", () => {
  const url = new URL(
    codexAuthorizeUrl(codexAuthEndpoints({}), {
      redirectUri: "http://localhost:1455/auth/callback",
      challenge: "C".repeat(43),
      state: "S".repeat(43),
      workspaceIds: ["ws-1", "ws-2"],
    }),
  );
  assert.equal(`${url.origin}${url.pathname}`, "https://auth.openai.com/oauth/authorize");
  assert.deepEqual(
    [...url.searchParams.keys()],
    ["response_type", "client_id", "redirect_uri", "scope", "code_challenge", "code_challenge_method", "id_token_add_organizations", "codex_cli_simplified_flow", "state", "originator", "allowed_workspace_id"],
  );
  assert.equal(url.searchParams.get("client_id"), "app_EMoamEEZ73f0CkXaXp7hrann");
  assert.equal(url.searchParams.get("scope"), "openid profile email offline_access");
  assert.equal(url.searchParams.get("originator"), "codex-provider");
  assert.equal(url.searchParams.get("allowed_workspace_id"), "ws-1,ws-2", "one comma-joined parameter");
  assert.ok(url.search.includes("scope=openid%20profile"), "spaces as %20, as documented");
});

test("CLI browser login: URL on stderr, the test plays the browser, sign-in stored and shown by status", async () => {
  await withCodexEmulator({}, async (emu, ports) =>
    withHome(async (home) => {
      const env = cliEnv(emu, home);
      const run = startCli(["login", "--provider", "chatgpt-codex", "--no-browser", "--port", ports.join(",")], { env, inherit: false });
      const [url] = await run.waitForStderr(AUTHORIZE_URL);
      const query = new URL(url).searchParams;
      assert.equal(query.get("redirect_uri"), `http://localhost:${ports[0]}/auth/callback`, "first registered port");
      assert.equal(query.get("code_challenge_method"), "S256");
      const page = await playBrowser(url);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get("connection"), "close");
      assert.equal(await run.exit, 0, run.stderr());
      assert.match(run.stdout(), /Signed in to chatgpt-codex \(experimental, ChatGPT-backed\) with the browser: ad\*\*\*@example\.com, account 0f6c9b2e-3d47-4a8e-b1c5-7e92d4a6f803, plan plus/);
      assert.match(run.stderr(), /ssh -L/);

      const stored = await storedCodexCredential(home);
      assert.equal(stored?.type, "oauth");
      if (stored?.type !== "oauth") return;
      assert.equal(stored.clientId, "app_EMoamEEZ73f0CkXaXp7hrann");
      assert.equal(stored.accountId, emu.auth.user.accountId, "account id from the ID token claim");
      assert.equal(stored.planType, "plus");
      assert.equal(stored.email, "ada@example.com");
      assert.ok(stored.idToken, "the ID token is kept (Codex needs it in auth.json)");
      assert.ok(stored.expiresAt && stored.expiresAt > Date.now(), "expiry from the access token's exp");

      const status = await runCli(["status", "--provider", "chatgpt-codex"], { env, inherit: false });
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /chatgpt-codex \(experimental, ChatGPT-backed\).*signed in · ChatGPT sign-in \(Codex client\) · ad\*\*\*@example\.com, account 0f6c9b2e-3d47-4a8e-b1c5-7e92d4a6f803 · plan plus · token expires 20\d\d-/);
      const json = JSON.parse((await runCli(["status", "--provider", "chatgpt-codex", "--json"], { env, inherit: false })).stdout);
      const codex = json.providers.find((p: { provider: string }) => p.provider === "chatgpt-codex");
      assert.equal(codex.experimental, true);
      assert.equal(codex.accountId, emu.auth.user.accountId);
      assert.equal(codex.plan, "plus");

      assertNoSecrets(run.stdout() + run.stderr() + status.stdout + status.stderr, [stored.accessToken, stored.refreshToken, stored.idToken]);
    }),
  );
});

test("both callback ports busy: a clear error with the SSH and --device hints, and no other port is tried", async () => {
  await withCodexEmulator({}, async (emu, ports) =>
    withHome(async (home) => {
      const held = await Promise.all(ports.map(occupy));
      try {
        const result = await runCli(["login", "--provider", "chatgpt-codex", "--no-browser", "--port", ports.join(",")], { env: cliEnv(emu, home), inherit: false });
        assert.equal(result.code, 1);
        assert.match(result.stderr, new RegExp(`ports ${ports[0]} and ${ports[1]} are in use on 127\\.0\\.0\\.1`));
        assert.match(result.stderr, /no other port is tried/);
        assert.match(result.stderr, /--device/);
        assert.match(result.stderr, new RegExp(`ssh -L ${ports[0]}:localhost:${ports[0]}`));
        assert.doesNotMatch(result.stderr, AUTHORIZE_URL, "no URL with some other port");
        assert.equal(emu.auth.stats.authorizeRequests, 0);
        assert.equal(await storedCodexCredential(home), undefined);
      } finally {
        await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
      }
    }),
  );
});

test("first port busy: the fallback port is used and the sign-in completes", async () => {
  await withCodexEmulator({}, async (emu, ports) => {
    const held = await occupy(ports[0]);
    try {
      const started = startBrowserLogin(emu, ports);
      const url = await started.url;
      const login = started.login;
      assert.equal(new URL(url).searchParams.get("redirect_uri"), `http://localhost:${ports[1]}/auth/callback`);
      await playBrowser(url);
      assert.equal((await login).accountId, emu.auth.user.accountId);
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
  });
});

test("a port the Codex client has not registered fails at the token endpoint (why no random port is used)", async () => {
  await withCodexEmulator({}, async (emu) =>
    withHome(async (home) => {
      const [unregistered] = await freePorts(1);
      const run = startCli(["login", "--provider", "chatgpt-codex", "--no-browser", "--port", String(unregistered)], { env: cliEnv(emu, home), inherit: false });
      await playBrowser((await run.waitForStderr(AUTHORIZE_URL))[0]);
      assert.equal(await run.exit, 1);
      assert.match(run.stderr(), /token exchange failed/);
      assert.match(run.stderr(), /only 1455 and 1457 are/);
    }),
  );
});

test("workspace restriction: allowed_workspace_id is sent, and a sign-in elsewhere is refused and not stored", async () => {
  await withCodexEmulator({}, async (emu, ports) =>
    withHome(async (home) => {
      // Allowed: the emulator's only workspace.
      const ok = startCli(["login", "--provider", "chatgpt-codex", "--no-browser", "--port", ports.join(","), "--workspace", emu.auth.user.accountId], { env: cliEnv(emu, home), inherit: false });
      const [url] = await ok.waitForStderr(AUTHORIZE_URL);
      assert.equal(new URL(url).searchParams.get("allowed_workspace_id"), emu.auth.user.accountId);
      await playBrowser(url);
      assert.equal(await ok.exit, 0, ok.stderr());

      // Not allowed: the auth server redirects back with an error; nothing changes.
      const refused = startCli(["login", "--provider", "chatgpt-codex", "--no-browser", "--port", ports.join(","), "--workspace", "ws-elsewhere", "--profile", "other"], { env: cliEnv(emu, home), inherit: false });
      await playBrowser((await refused.waitForStderr(AUTHORIZE_URL))[0]);
      assert.equal(await refused.exit, 1);
      assert.match(refused.stderr(), /Sign-in was cancelled or denied: No eligible ChatGPT workspaces/);
      assert.equal(await storedCodexCredential(home, "other"), undefined);
    }),
  );
});

test("missing Codex entitlement is reported in the words Codex uses", async () => {
  await withCodexEmulator({}, async (emu, ports) =>
    withHome(async (home) => {
      emu.auth.controls = { authorize: "deny-missing-entitlement" };
      const run = startCli(["login", "--provider", "chatgpt-codex", "--no-browser", "--port", ports.join(",")], { env: cliEnv(emu, home), inherit: false });
      await playBrowser((await run.waitForStderr(AUTHORIZE_URL))[0]);
      assert.equal(await run.exit, 1);
      assert.match(run.stderr(), /Codex is not enabled for your workspace/);
    }),
  );
});

test("CLI Ctrl-C while waiting for the browser: exit 130, one line saying nothing was saved, nothing stored", async () => {
  await withCodexEmulator({}, async (emu, ports) =>
    withHome(async (home) => {
      const run = startCli(["login", "--provider", "chatgpt-codex", "--no-browser", "--port", ports.join(",")], { env: cliEnv(emu, home), inherit: false });
      await run.waitForStderr(AUTHORIZE_URL);
      run.child.kill("SIGINT");
      assert.equal(await run.exit, 130, run.stderr());
      assert.match(run.stderr(), /^Sign-in cancelled; nothing was saved\.$/m);
      assert.doesNotMatch(run.stderr(), /error:|\n\s+at /);
      assert.equal(await storedCodexCredential(home), undefined);
    }),
  );
});
