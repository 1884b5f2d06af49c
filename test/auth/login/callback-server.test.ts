// The loopback callback server, PKCE and the browser opener, over real sockets.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startCallbackServer, type CallbackServer } from "#src/auth/login/callback-server.js";
import { openBrowser } from "#src/auth/login/open-browser.js";
import { eventually } from "../../support/poll.js";
import { createPkce, randomToken } from "#src/auth/login/pkce.js";
import { ProviderError } from "#src/errors.js";

const STATE = "expected-state";

function callback(server: CallbackServer, query: Record<string, string>, path = "/auth/callback"): Promise<Response> {
  return fetch(`http://127.0.0.1:${server.port}${path}?${new URLSearchParams(query)}`);
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, String(error));
    return error;
  }
  assert.fail("expected a rejection");
}

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe("startCallbackServer", () => {
  it("resolves with the code on the expected path and state, answers success with Connection: close, then 409", async () => {
    const server = await startCallbackServer({ ports: [0], expectedState: STATE });
    try {
      const response = await callback(server, { code: "c0de", state: STATE, client_id: "oaiapp_x" });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("connection"), "close");
      assert.match(await response.text(), /Signed in/);
      const result = await server.wait();
      assert.equal(result.code, "c0de");
      assert.equal(result.params.get("client_id"), "oaiapp_x");
      assert.equal((await callback(server, { code: "again", state: STATE })).status, 409);
    } finally {
      await server.close();
    }
  });

  it("ignores other paths and methods (404) and keeps waiting after a state mismatch (400)", async () => {
    const server = await startCallbackServer({ ports: [0], expectedState: STATE });
    try {
      assert.equal((await callback(server, { code: "x", state: STATE }, "/callback")).status, 404);
      assert.equal((await fetch(`http://127.0.0.1:${server.port}/auth/callback`, { method: "POST" })).status, 404);
      const mismatch = await callback(server, { code: "x", state: "other" });
      assert.equal(mismatch.status, 400);
      assert.match(await mismatch.text(), /State mismatch/);
      await callback(server, { code: "good", state: STATE });
      assert.equal((await server.wait()).code, "good");
    } finally {
      await server.close();
    }
  });

  for (const [query, pattern] of [
    [{ error: "access_denied" }, /Sign-in was cancelled or denied\./],
    [{ error: "access_denied", error_description: "missing_codex_entitlement" }, /Codex is not enabled for your workspace\. Contact your workspace administrator/],
    [{ error: "server_error", error_description: "<b>boom</b>" }, /Sign-in failed: server_error \(<b>boom<\/b>\)/],
    [{}, /missing the authorization code/],
  ] as const) {
    it(`fails with login_failed for ${JSON.stringify(query)}`, async () => {
      const server = await startCallbackServer({ ports: [0], expectedState: STATE });
      try {
        const response = await callback(server, { ...query, state: STATE });
        assert.doesNotMatch(await response.text(), /<b>/, "error text is escaped in the page");
        const error = await rejection(server.wait());
        assert.equal(error.code, "login_failed");
        assert.match(error.message, pattern);
      } finally {
        await server.close();
      }
    });
  }

  it("reports busy ports with the flag to use, never touching the other listener; falls back to the next candidate", async () => {
    const a = await occupy();
    const b = await occupy();
    try {
      const error = await rejection(startCallbackServer({ ports: [a.port, b.port], expectedState: STATE }));
      assert.equal(error.code, "login_failed");
      assert.match(error.message, new RegExp(`Port\\(s\\) ${a.port}, ${b.port} are in use`));
      assert.match(error.hint!, /--port/);
      assert.ok(a.server.listening && b.server.listening);

      const fallback = await startCallbackServer({ ports: [a.port, 0], expectedState: STATE });
      assert.notEqual(fallback.port, a.port);
      await fallback.close();
    } finally {
      a.server.close();
      b.server.close();
    }
  });

  it("times out with login_failed and honours an abort signal with `aborted`", async () => {
    const slow = await startCallbackServer({ ports: [0], expectedState: STATE, timeoutMs: 50 });
    const timedOut = await rejection(slow.wait());
    assert.equal(timedOut.code, "login_failed");
    assert.match(timedOut.message, /Sign-in timed out after 0 s/);
    await slow.close();

    const controller = new AbortController();
    const aborted = await startCallbackServer({ ports: [0], expectedState: STATE, signal: controller.signal });
    controller.abort();
    assert.equal((await rejection(aborted.wait())).code, "aborted");
    await aborted.close();
  });

  it("close() frees the port even with a keep-alive connection open", async () => {
    const server = await startCallbackServer({ ports: [0], expectedState: STATE });
    const { port } = server;
    await fetch(`http://127.0.0.1:${port}/other`, { headers: { connection: "keep-alive" } });
    await server.close();
    const again = await startCallbackServer({ ports: [port], expectedState: STATE });
    assert.equal(again.port, port);
    await again.close();
  });
});

describe("pkce and randomToken", () => {
  it("makes an 86-char base64url verifier with its S256 challenge, fresh each time", () => {
    const { verifier, challenge } = createPkce();
    assert.match(verifier, /^[A-Za-z0-9_-]{86}$/);
    assert.equal(challenge, createHash("sha256").update(verifier).digest("base64url"));
    assert.notEqual(createPkce().verifier, verifier);
    assert.match(randomToken(), /^[A-Za-z0-9_-]{43}$/);
    assert.match(randomToken(16), /^[A-Za-z0-9_-]{22}$/);
  });
});

describe("openBrowser", () => {
  it("is disabled by CODEX_PROVIDER_NO_BROWSER=1 and BROWSER=none, and reports a missing opener as false", async () => {
    assert.equal(await openBrowser("http://127.0.0.1/", { CODEX_PROVIDER_NO_BROWSER: "1" }), false);
    assert.equal(await openBrowser("http://127.0.0.1/", { BROWSER: "none" }), false);
    assert.equal(await openBrowser("http://127.0.0.1/", { BROWSER: "/nonexistent/browser-for-test" }), false);
  });

  it("CODEX_PROVIDER_NO_BROWSER takes the README's boolean words: true/yes/on disable, 0/false keep the opener", { skip: process.platform === "win32" }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "codex-provider-browser-"));
    try {
      const script = join(dir, "browser.sh");
      await writeFile(script, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
      for (const word of ["true", "YES", " on "]) assert.equal(await openBrowser("http://127.0.0.1/", { BROWSER: script, CODEX_PROVIDER_NO_BROWSER: word }), false, word);
      for (const word of ["0", "false", ""]) assert.equal(await openBrowser("http://127.0.0.1/", { BROWSER: script, CODEX_PROVIDER_NO_BROWSER: word }), true, word);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs BROWSER with the URL as one argv entry, never through a shell", { skip: process.platform === "win32" }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "codex-provider-browser-"));
    try {
      const script = join(dir, "browser.sh");
      const out = join(dir, "argv.txt");
      const marker = join(dir, "injected");
      await writeFile(script, `#!/bin/sh\nprintf '%s|' "$@" > "${out}.tmp" && mv "${out}.tmp" "${out}"\n`, { mode: 0o755 });
      const url = `http://127.0.0.1/cb?a=1&b=$(touch ${marker});touch ${marker}`;
      assert.equal(await openBrowser(url, { BROWSER: script }), true);
      let argv: string | undefined;
      await eventually(async () => (argv = await readFile(out, "utf8").catch(() => undefined)) !== undefined, 5000, "the browser script's output");
      assert.equal(argv, `${url}|`);
      await assert.rejects(stat(marker));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
