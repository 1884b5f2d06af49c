// Token refresh against the emulator's rotating, reuse-detecting token endpoint:
// single flight in one process, serialized across real child processes sharing one
// store, and terminal failures that end in exit 3 without looping.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CredentialStore } from "#src/auth/store/index.js";
import { createProvider } from "#src/providers/registry.js";
import { readCredential, seenTokens, signIn, siwcEnv, tempHome, useEmulator } from "../../support/siwc.js";
import { printed, runCli } from "../../support/cli.js";

const fx = useEmulator();

async function signedInHome(): Promise<string> {
  const home = await tempHome();
  await signIn(fx.emu, home);
  await readCredential(home);
  return home;
}

/** Make the stored access token look expired, so every reader refreshes proactively. */
async function expireLocally(home: string): Promise<void> {
  await new CredentialStore({ home }).modify("default", (data) => {
    const credential = data.credentials.chatgpt;
    if (credential?.type === "oauth") credential.expiresAt = Date.now() - 1000;
  });
}

function askInChildren(home: string, count: number): Promise<Array<{ code: number | null; stdout: string; stderr: string }>> {
  const env = siwcEnv(fx.emu, home);
  return Promise.all(Array.from({ length: count }, (_, i) => runCli(["ask", "--provider", "chatgpt", "--quiet", `child ${i}`], { env, inherit: false })));
}

describe("chatgpt token refresh", () => {
  it("50 concurrent calls with an expired token share exactly one refresh (in-process single flight)", async () => {
    const home = await signedInHome();
    const before = await readCredential(home);
    await expireLocally(home);
    const refreshes = fx.emu.auth.stats.refreshes;
    const provider = createProvider({ provider: "chatgpt", env: siwcEnv(fx.emu, home), home });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => provider.complete({ input: `call ${i}` })));
    assert.equal(results.length, 50);
    for (const result of results) assert.match(result.text, /Hello from the emulator/);
    assert.equal(fx.emu.auth.stats.refreshes - refreshes, 1);
    const after = await readCredential(home);
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken, "the rotated refresh token was saved");
    assert.ok(after.expiresAt! > Date.now() + 30 * 60_000);
  });

  it("a 401 refreshes once and retries; concurrent callers share that refresh", async () => {
    const home = await signedInHome();
    const provider = createProvider({ provider: "chatgpt", env: siwcEnv(fx.emu, home), home });
    await provider.complete({ input: "warm up" });
    fx.emu.auth.expireAccessTokens();
    const refreshes = fx.emu.auth.stats.refreshes;
    const results = await Promise.all(Array.from({ length: 20 }, () => provider.complete({ input: "after 401" })));
    assert.equal(results.length, 20);
    assert.equal(fx.emu.auth.stats.refreshes - refreshes, 1);
  });

  it("6 child processes sharing one store: one refresh per expiry, zero refresh_token_reused, every call succeeds", async () => {
    const home = await signedInHome();
    const reuse = fx.emu.auth.stats.refreshReuseDetected;

    // Round 1: proactive (the stored token is past its expiry).
    await expireLocally(home);
    let refreshes = fx.emu.auth.stats.refreshes;
    for (const run of await askInChildren(home, 6)) assert.equal(run.code, 0, run.stderr);
    assert.equal(fx.emu.auth.stats.refreshes - refreshes, 1, "round 1: exactly one refresh across processes");
    await readCredential(home);

    // Round 2: reactive (the server expired the token; each process sees a 401).
    fx.emu.auth.expireAccessTokens();
    refreshes = fx.emu.auth.stats.refreshes;
    for (const run of await askInChildren(home, 6)) assert.equal(run.code, 0, run.stderr);
    assert.equal(fx.emu.auth.stats.refreshes - refreshes, 1, "round 2: exactly one refresh across processes");
    assert.equal(fx.emu.auth.stats.refreshReuseDetected, reuse, "no refresh token was presented twice");
    await readCredential(home);
  });

  it("a terminal refresh failure exits 3 with the login command, is recorded, and is not retried", async () => {
    const home = await signedInHome();
    const env = siwcEnv(fx.emu, home);
    fx.emu.auth.revokeAll();
    await expireLocally(home);
    const refreshes = fx.emu.auth.stats.refreshes;

    const first = await runCli(["ask", "--provider", "chatgpt", "hi"], { env, inherit: false });
    assert.equal(first.code, 3, first.stderr);
    assert.match(first.stderr, /could not be refreshed because your refresh token was revoked/);
    assert.match(first.stderr, /Sign in again: codex-provider login --provider chatgpt/);
    assert.equal(fx.emu.auth.stats.refreshes - refreshes, 1);
    assert.equal((await readCredential(home)).refreshFailure?.code, "refresh_token_invalidated");

    const second = await runCli(["ask", "--provider", "chatgpt", "hi"], { env, inherit: false });
    assert.equal(second.code, 3);
    assert.equal(fx.emu.auth.stats.refreshes - refreshes, 1, "the recorded failure stops further refresh attempts");

    const status = await runCli(["status", "--provider", "chatgpt"], { env, inherit: false });
    assert.equal(status.code, 3);
    assert.match(status.stdout, /Sign in again: codex-provider login --provider chatgpt/);
  });

  const transientFailures = [
    {
      name: "a Cloudflare 403 challenge page",
      status: 403,
      body: "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser. Cloudflare Ray ID: 8f3a</body></html>",
      headers: { "content-type": "text/html; charset=UTF-8", server: "cloudflare" },
    },
    { name: "a 503", status: 503, body: { error: "temporarily_unavailable", error_description: "try later" } },
    { name: "a 400 without a known code", status: 400, body: { error: "invalid_request", error_description: "unexpected" } },
  ];
  for (const failure of transientFailures) {
    it(`${failure.name} during refresh is transient: retried, exit 5, nothing persisted; the next process refreshes again`, async () => {
      const home = await signedInHome();
      const env = siwcEnv(fx.emu, home);
      await expireLocally(home);
      const refreshes = fx.emu.auth.stats.refreshes;
      // More failures than one call's retry budget allows.
      fx.emu.auth.controls.failNextTokenRequests = { count: 1000, status: failure.status, body: failure.body, headers: failure.headers };
      const first = await runCli(["ask", "--provider", "chatgpt", "hi"], { env, inherit: false });
      fx.emu.auth.controls.failNextTokenRequests = undefined;
      assert.equal(first.code, 5, first.stderr);
      assert.match(first.stderr, /token endpoint failed \(HTTP \d+/);
      assert.doesNotMatch(first.stderr, /Sign in again|Just a moment|Ray ID/);
      assert.ok(fx.emu.auth.stats.refreshes - refreshes > 1, "the refresh was retried within the call");
      assert.equal((await readCredential(home)).refreshFailure, undefined, "a transient failure is never written to the store");

      const second = await runCli(["ask", "--provider", "chatgpt", "--quiet", "again"], { env, inherit: false });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /Hello from the emulator/);
    });
  }

  it("a 400 invalid_grant (documented code) is terminal: exit 3, persisted, no retry", async () => {
    const home = await signedInHome();
    const env = siwcEnv(fx.emu, home);
    await expireLocally(home);
    const refreshes = fx.emu.auth.stats.refreshes;
    fx.emu.auth.controls.failNextTokenRequests = { count: 1, status: 400, body: { error: "invalid_grant", error_description: "Invalid refresh token." } };
    const run = await runCli(["ask", "--provider", "chatgpt", "hi"], { env, inherit: false });
    assert.equal(run.code, 3, run.stderr);
    assert.equal(fx.emu.auth.stats.refreshes - refreshes, 1);
    assert.equal((await readCredential(home)).refreshFailure?.code, "invalid_grant");
  });

  it("a stale copy of a rotated refresh token ends in refresh_token_reused (exit 3), not a loop", async () => {
    const home = await signedInHome();
    const env = siwcEnv(fx.emu, home);
    const file = join(home, "credentials", "default.json");
    const stale = await readFile(file, "utf8");
    await expireLocally(home);
    assert.equal((await runCli(["ask", "--provider", "chatgpt", "rotate"], { env, inherit: false })).code, 0);
    await readCredential(home);

    // Someone restores the old file (e.g. a backup, or a second machine's copy).
    await writeFile(file, stale, { mode: 0o600 });
    await expireLocally(home);
    const reuse = fx.emu.auth.stats.refreshReuseDetected;
    const refreshes = fx.emu.auth.stats.refreshes;
    const run = await runCli(["ask", "--provider", "chatgpt", "hi"], { env, inherit: false });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /already used/);
    assert.match(run.stderr, /codex-provider login --provider chatgpt/);
    assert.equal(fx.emu.auth.stats.refreshReuseDetected - reuse, 1);
    assert.equal(fx.emu.auth.stats.refreshes - refreshes, 1);
  });

  it("never prints a token the emulator issued (all CLI output of this file)", () => {
    assert.ok(seenTokens.size >= 10);
    const output = printed.join("\n");
    for (const token of seenTokens) assert.equal(output.includes(token), false, "a token value appeared in CLI output");
  });
});
