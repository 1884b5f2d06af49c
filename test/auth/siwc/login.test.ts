// The real CLI signing in with ChatGPT against the emulator, over real sockets; the
// test plays the browser by following the URL the CLI prints. Ends with the check
// that no token the emulator issued appears in anything the CLI printed.
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { createServer, Socket, type Server } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  cliLogin,
  playBrowser,
  readCredential,
  readProfile,
  requestsTo,
  seenTokens,
  siwcEnv,
  tempHome,
  useEmulator,
} from "../../support/siwc.js";
import { printed, runCli } from "../../support/cli.js";

const PLAN_SCOPE = "chatgpt.tokens.use.direct";
const fx = useEmulator();

async function freshEnv(): Promise<{ home: string; env: Record<string, string> }> {
  const home = await tempHome();
  return { home, env: siwcEnv(fx.emu, home) };
}

async function hasFile(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe("chatgpt login (CLI child process, browser played by the test)", () => {
  it("signs in by following the printed URL: dynamic registration, PKCE, 0600 file, host id", async () => {
    const { home, env } = await freshEnv();
    const run = await cliLogin(fx.emu, env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Signed in to ChatGPT as ad\*\*\*@/);
    assert.match(run.stderr, /no device-code flow/);

    const url = new URL(run.authorizeUrl!);
    const q = url.searchParams;
    assert.equal(q.get("client_id"), "dynamic_agent_client");
    assert.equal(q.get("agent_name_hint"), "codex-provider");
    assert.equal(q.get("scope"), `openid profile email offline_access resource.invoke ${PLAN_SCOPE}`);
    assert.equal(q.get("resource"), "https://api.openai.com/v1");
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.match(q.get("redirect_uri")!, /^http:\/\/127\.0\.0\.1:\d+\/auth\/callback$/);
    assert.match(run.visits[0].page, /Signed in/);

    const hostId = (await readFile(join(home, "host-id"), "utf8")).trim();
    assert.equal(q.get("ext_agent_host_id"), hostId);
    const file = join(home, "credentials", "default.json");
    if (process.platform !== "win32") assert.equal((await stat(file)).mode & 0o777, 0o600);
    const data = await readProfile(home);
    const credential = await readCredential(home);
    assert.match(credential.clientId, /^oaiapp_/);
    assert.equal(credential.planUsageEnabled, true);
    assert.equal(credential.subject, fx.emu.auth.user.subject);
    assert.deepEqual(data.siwcClients, { [fx.emu.auth.user.subject]: credential.clientId });
  });

  it("answers a callback with the wrong state with 400 and keeps waiting for the real one", async () => {
    const { home, env } = await freshEnv();
    const run = await cliLogin(fx.emu, env, [], async (url) => {
      const forged = await playBrowser(url, (callback) => callback.searchParams.set("state", "forged"));
      const wrongPath = await fetch(new URL("/callback", forged.callbackUrl));
      const real = await playBrowser(url);
      return [forged, { callbackUrl: forged.callbackUrl, status: wrongPath.status, page: "" }, real];
    });
    const [forged, wrongPath, real] = run.visits;
    assert.equal(forged.status, 400);
    assert.match(forged.page, /State mismatch/);
    assert.equal(wrongPath.status, 404);
    assert.equal(real.status, 200);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await readCredential(home)).planUsageEnabled, true);
  });

  it("denied consent: clear message, exit 1, nothing saved", async () => {
    const { home, env } = await freshEnv();
    fx.emu.auth.controls.authorize = "deny";
    try {
      const run = await cliLogin(fx.emu, env);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /Sign-in was cancelled or denied/);
      assert.match(run.visits[0].page, /cancelled or denied/);
      assert.equal(await hasFile(join(home, "credentials", "default.json")), false);
    } finally {
      fx.emu.auth.controls.authorize = "approve";
    }
  });

  for (const [fault, message] of [
    ["wrong-nonce", /nonce does not match/],
    ["bad-signature", /signature does not verify/],
    ["expired", /it has expired \(exp is in the past\)/],
    ["wrong-audience", /audience \(aud\)/],
    ["wrong-issuer", /issuer \(iss\)/],
  ] as const) {
    it(`rejects an ID token with ${fault}: login_failed, exit 1, nothing saved`, async () => {
      const { home, env } = await freshEnv();
      fx.emu.auth.controls.idTokenFault = fault;
      try {
        const run = await cliLogin(fx.emu, env);
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /ID token from the sign-in server is not valid/);
        assert.match(run.stderr, message);
        assert.equal(await hasFile(join(home, "credentials", "default.json")), false);
      } finally {
        fx.emu.auth.controls.idTokenFault = null;
      }
    });
  }

  it("missing plan scope: sign-in kept, plan usage disabled, status says how to enable, calls refused; re-login asks consent", async () => {
    const { home, env } = await freshEnv();
    fx.emu.auth.controls.grantedScopes = ["openid", "profile", "email", "offline_access", "resource.invoke"];
    const run = await cliLogin(fx.emu, env);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, new RegExp(`plan usage is disabled: the scope ${PLAN_SCOPE} was not granted`));
    const credential = await readCredential(home);
    assert.equal(credential.planUsageEnabled, false);

    const status = await runCli(["status", "--provider", "chatgpt"], { env, inherit: false });
    assert.equal(status.code, 3);
    assert.match(status.stdout, /plan usage disabled/);
    assert.match(status.stdout, /allow ChatGPT plan usage on the consent page: codex-provider login --provider chatgpt/);

    const before = requestsTo(fx.emu, "/v1/");
    const ask = await runCli(["ask", "--provider", "chatgpt", "hi"], { env, inherit: false });
    assert.equal(ask.code, 3);
    assert.match(ask.stderr, /Plan usage is disabled for this ChatGPT sign-in/);
    assert.equal(requestsTo(fx.emu, "/v1/"), before, "no model request may be sent");

    const again = await cliLogin(fx.emu, env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(new URL(again.authorizeUrl!).searchParams.get("prompt"), "consent");
    assert.equal(new URL(again.authorizeUrl!).searchParams.get("client_id"), credential.clientId);
    assert.equal((await readCredential(home)).planUsageEnabled, true);
  });

  it("plan permission comes only from the token response: the callback's full scope list does not grant it", async () => {
    const { home, env } = await freshEnv();
    // The callback echoes every requested scope; the token response lists none.
    fx.emu.auth.controls.omitTokenScope = true;
    const run = await cliLogin(fx.emu, env);
    assert.equal(run.code, 3, run.stderr);
    assert.match(new URL(run.authorizeUrl!).searchParams.get("scope")!, new RegExp(PLAN_SCOPE.replace(/\./g, "\\.")));
    assert.match(run.stderr, /plan usage is disabled/);
    const credential = await readCredential(home);
    assert.equal(credential.planUsageEnabled, false);
    assert.deepEqual(credential.scopes, []);
  });

  it("Ctrl-C while waiting for the browser cancels cleanly (exit 130) and saves nothing", async () => {
    const { home, env } = await freshEnv();
    let interrupted = false;
    const run = await runCli(["login", "--provider", "chatgpt", "--no-browser", "--port", "0"], { env, inherit: false, onStderr: (stderr, child) => {
      // Exactly one Ctrl-C: a second one, arriving after the login removed its handler, would kill the process.
      if (!interrupted && stderr.includes("Waiting for the sign-in")) {
        interrupted = true;
        child.kill("SIGINT");
      }
    } });
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /Sign-in cancelled; nothing was saved/);
    assert.equal(await hasFile(join(home, "credentials", "default.json")), false);
  });

  it("a busy --port is reported with the port and the flag; the other listener is left alone", async () => {
    const { home, env } = await freshEnv();
    const blocker: Server = createServer((socket) => socket.end("still mine\n"));
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runCli(["login", "--provider", "chatgpt", "--no-browser", "--port", String(port)], { env, inherit: false });
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`Port\\(s\\) ${port} are in use`));
      assert.match(run.stderr, /--port/);
      assert.equal(await hasFile(join(home, "credentials", "default.json")), false);
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = new Socket();
        socket.once("error", reject);
        socket.connect(port, "127.0.0.1", () => socket.once("data", (d: Buffer) => resolve(d.toString())));
      });
      assert.equal(reply, "still mine\n");
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("logout revokes at the discovered endpoint, deletes the tokens, keeps client id and host id; the next login reuses the client", async () => {
    const { home, env } = await freshEnv();
    assert.equal((await cliLogin(fx.emu, env)).code, 0);
    const credential = await readCredential(home);
    const hostId = await readFile(join(home, "host-id"), "utf8");
    const revocations = fx.emu.auth.stats.revocations;

    const run = await runCli(["logout", "--provider", "chatgpt"], { env, inherit: false });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /the sign-in was revoked/);
    assert.equal(fx.emu.auth.stats.revocations, revocations + 1);
    const data = await readProfile(home);
    assert.equal(data.credentials.chatgpt, undefined);
    assert.deepEqual(data.siwcClients, { [credential.subject!]: credential.clientId });
    assert.equal(await readFile(join(home, "host-id"), "utf8"), hostId);

    // The revoked refresh token is dead at the token endpoint.
    const refresh = await fetch(`${fx.emu.authUrl}/api/accounts/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", client_id: credential.clientId, refresh_token: credential.refreshToken, resource: "https://api.openai.com/v1" }),
    });
    assert.equal(refresh.status, 400);

    const again = await cliLogin(fx.emu, env);
    assert.equal(again.code, 0, again.stderr);
    const q = new URL(again.authorizeUrl!).searchParams;
    assert.equal(q.get("client_id"), credential.clientId);
    assert.equal(q.get("agent_name_hint"), null);
    assert.equal((await readCredential(home)).clientId, credential.clientId);
  });

  it("never prints a token the emulator issued (all CLI output of this file)", () => {
    assert.ok(seenTokens.size >= 6, `expected tokens from several sign-ins, saw ${seenTokens.size}`);
    const output = printed.join("\n");
    assert.ok(output.length > 0);
    for (const token of seenTokens) assert.equal(output.includes(token), false, "a token value appeared in CLI output");
  });
});
