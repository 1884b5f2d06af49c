// Device-code sign-in (docs/protocol.md#codex-device-code) over real sockets: approval through the emulator's
// device page played by the test, and every other state — denied, expired (server and
// our 15-minute limit), not enabled, slow_down, and cancellation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { codexAuthEndpoints } from "#src/auth/codex/constants.js";
import { deviceLogin, DEVICE_CODE_LIFETIME_MS, type DeviceCodePrompt } from "#src/auth/codex/device-login.js";
import { ProviderError } from "#src/errors.js";
import type { Emulator } from "#src/emulator/index.js";
import { fakeClock } from "../../support/emulator.js";
import { assertNoSecrets, cliEnv, storedCodexCredential, withCodexEmulator } from "../../support/codex.js";
import { withHome } from "../../support/home.js";
import { startCli } from "../../support/cli.js";

const USER_CODE = /Enter this code: (\S+)/;

/** What a user does on the device page: type the code and press a button. */
async function submitDevicePage(emu: Emulator, userCode: string, action: "approve" | "deny"): Promise<void> {
  const page = await fetch(`${emu.authUrl}/codex/device`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ user_code: userCode, action }).toString(),
  });
  assert.equal(page.status, 200, await page.text());
}

/** Runs deviceLogin in-process; `code` is the user code it prints. */
function startDeviceLogin(emu: Emulator, options: { clock?: ReturnType<typeof fakeClock>; signal?: AbortSignal } = {}) {
  let presented!: (prompt: DeviceCodePrompt) => void;
  const prompt = new Promise<DeviceCodePrompt>((resolve) => (presented = resolve));
  const login = deviceLogin({ endpoints: codexAuthEndpoints({ CODEX_PROVIDER_AUTH_URL: emu.authUrl }), present: presented, ...options });
  login.catch(() => undefined);
  return { code: prompt.then((shown) => shown.userCode), prompt, login };
}

test("CLI device login: code and URL on stderr with the phishing warning; approved on the device page; stored", async () => {
  await withCodexEmulator({ auth: { devicePollIntervalSeconds: 1 } }, async (emu) =>
    withHome(async (home) => {
      const run = startCli(["login", "--provider", "chatgpt-codex", "--device"], { env: cliEnv(emu, home), inherit: false });
      const [, userCode] = await run.waitForStderr(USER_CODE);
      assert.match(run.stderr(), new RegExp(`Open ${emu.authUrl}/codex/device`));
      assert.match(run.stderr(), /expires in 15 minutes/);
      assert.match(run.stderr(), /Device codes are a common phishing target\. Never share this code\./);
      assert.match(run.stderr(), /experimental, ChatGPT-backed/);
      await submitDevicePage(emu, userCode, "approve");
      assert.equal(await run.exit, 0, run.stderr());
      assert.match(run.stdout(), /Signed in to chatgpt-codex \(experimental, ChatGPT-backed\) with a device code: ad\*\*\*@example\.com/);
      const stored = await storedCodexCredential(home);
      assert.equal(stored?.type, "oauth");
      if (stored?.type !== "oauth") return;
      assert.equal(stored.accountId, emu.auth.user.accountId);
      assert.equal(emu.auth.stats.tokenExchanges, 1, "the server-generated code was exchanged once");
      assertNoSecrets(run.stdout() + run.stderr(), [stored.accessToken, stored.refreshToken, stored.idToken]);
    }),
  );
});

test("denied on the device page: a clear message, nothing stored", async () => {
  await withCodexEmulator({ auth: { devicePollIntervalSeconds: 1 } }, async (emu) => {
    const flow = startDeviceLogin(emu);
    // The library hands the prompt to its caller and writes nothing itself.
    const prompt = await flow.prompt;
    assert.equal(prompt.verificationUrl, `${emu.authUrl}/codex/device`);
    assert.equal(prompt.expiresInMs, DEVICE_CODE_LIFETIME_MS);
    await submitDevicePage(emu, await flow.code, "deny");
    await assert.rejects(flow.login, (error: ProviderError) => error.code === "login_failed" && /denied in the browser/.test(error.message));
  });
});

test("expired on the server: the device code's lifetime ran out before approval", async () => {
  await withCodexEmulator({ auth: { devicePollIntervalSeconds: 1, deviceCodeTtlSeconds: 1 } }, async (emu) => {
    const flow = startDeviceLogin(emu);
    await flow.code;
    await assert.rejects(flow.login, (error: ProviderError) => error.code === "login_failed" && /device code expired before it was approved/.test(error.message));
  });
});

test("device login not enabled (404): says how to enable it and offers the browser", async () => {
  await withCodexEmulator({ auth: { deviceCodeEnabled: false } }, async (emu) =>
    withHome(async (home) => {
      const run = startCli(["login", "--provider", "chatgpt-codex", "--device"], { env: cliEnv(emu, home), inherit: false });
      assert.equal(await run.exit, 1);
      assert.match(run.stderr(), /Device-code sign-in is not enabled/);
      assert.match(run.stderr(), /Settings → Security/);
      assert.match(run.stderr(), /admin must allow it/);
      assert.match(run.stderr(), /login --provider chatgpt-codex$/m);
    }),
  );
});

test("pending, then slow_down adds 5 s each time; polling follows the server's interval; approval ends it", async () => {
  await withCodexEmulator({ auth: { devicePollIntervalSeconds: 1 } }, async (emu) => {
    // The fake clock does not really wait, so every poll after the first is too early
    // for the emulator, which answers slow_down.
    const clock = fakeClock();
    let userCode = "";
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms, signal) => {
      await sleep(ms, signal);
      if (clock.sleeps.length === 3) assert.ok(emu.auth.resolveDeviceCode(userCode, "approve"));
    };
    const flow = startDeviceLogin(emu, { clock });
    userCode = await flow.code;
    const credential = await flow.login;
    assert.equal(credential.accountId, emu.auth.user.accountId);
    assert.deepEqual(clock.sleeps, [1000, 6000, 11000], "interval 1 s, then +5 s per slow_down");
    assert.equal(emu.auth.stats.devicePolls, 4);
  });
});

test("our own 15-minute limit: polling stops once the code's lifetime is spent", async () => {
  await withCodexEmulator({ auth: { devicePollIntervalSeconds: 60, deviceCodeTtlSeconds: 3600 } }, async (emu) => {
    const clock = fakeClock();
    const start = clock.now();
    const flow = startDeviceLogin(emu, { clock });
    await assert.rejects(flow.login, (error: ProviderError) => /expired \(15 minutes\)/.test(error.message));
    assert.ok(clock.now() - start <= DEVICE_CODE_LIFETIME_MS);
    assert.ok(clock.sleeps.length >= 2);
  });
});

test("a server interval of 0 is raised to the 1 s floor", async () => {
  await withCodexEmulator({ auth: { devicePollIntervalSeconds: 0 } }, async (emu) => {
    const clock = fakeClock();
    const flow = startDeviceLogin(emu, { clock });
    const userCode = await flow.code;
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms, signal) => {
      await sleep(ms, signal);
      emu.auth.resolveDeviceCode(userCode, "approve");
    };
    await flow.login;
    assert.deepEqual(clock.sleeps, [1000]);
  });
});

test("abort while waiting: rejects at once with `aborted`", async () => {
  await withCodexEmulator({ auth: { devicePollIntervalSeconds: 5 } }, async (emu) => {
    const controller = new AbortController();
    const flow = startDeviceLogin(emu, { signal: controller.signal });
    await flow.code;
    const started = Date.now();
    controller.abort();
    await assert.rejects(flow.login, (error: ProviderError) => error.code === "aborted");
    assert.ok(Date.now() - started < 1000);
  });
});

test("CLI Ctrl-C during the device wait cancels cleanly: message, exit 130, nothing stored", async () => {
  await withCodexEmulator({ auth: { devicePollIntervalSeconds: 5 } }, async (emu) =>
    withHome(async (home) => {
      const run = startCli(["login", "--provider", "chatgpt-codex", "--device"], { env: cliEnv(emu, home), inherit: false });
      await run.waitForStderr(USER_CODE);
      run.child.kill("SIGINT");
      assert.equal(await run.exit, 130);
      assert.match(run.stderr(), /^Sign-in cancelled; nothing was saved\.$/m);
      assert.doesNotMatch(run.stderr(), /error:/);
      assert.doesNotMatch(run.stderr(), /\n\s+at /, "no stack trace");
      assert.equal(await storedCodexCredential(home), undefined);
    }),
  );
});
