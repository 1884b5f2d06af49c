// Who may use the local server: the local key (constant-time, 401 otherwise), the
// Host header (DNS-rebinding guard, 403), browser origins (only with --cors), and
// the key file itself (0600, stable, refused when others can read it).
import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HostPolicy, KeyCheck } from "#src/server/auth-guard.js";
import { loadOrCreateLocalKey, localKeyPath } from "#src/server/local-key.js";
import { ServerError } from "#src/wire/server-error.js";
import { redact } from "#src/redact.js";
import { rawRequest, startStack, type Stack } from "./helpers.js";

describe("local key and Host guard over real sockets", () => {
  let stack: Stack;
  let origin: string;
  before(async () => {
    stack = await startStack({ server: { cors: ["http://app.example:3000"], logBodies: true } });
    origin = stack.server.url;
  });
  after(() => stack.close());
  const auth = () => ({ authorization: `Bearer ${stack.server.apiKey}` });

  it("answers 401 without a key and with a wrong key, before reaching the upstream", async () => {
    const upstreamBefore = stack.emulator.requests.length;
    const missing = await rawRequest(`${origin}/v1/models`);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers["www-authenticate"], 'Bearer realm="codex-provider"');
    assert.equal(JSON.parse(missing.body).error.code, "invalid_api_key");
    const wrong = await rawRequest(`${origin}/v1/responses`, { method: "POST", headers: { authorization: "Bearer cpk-not-the-key" }, body: "{}" });
    assert.equal(wrong.status, 401);
    assert.match(JSON.parse(wrong.body).error.message, /Incorrect local API key/);
    assert.equal(stack.emulator.requests.length, upstreamBefore);
  });

  it("answers 403 to a non-loopback Host even with the right key", async () => {
    for (const host of ["evil.example", "evil.example:80", `attacker.test:${new URL(origin).port}`, "192.168.1.10"]) {
      const answer = await rawRequest(`${origin}/health`, { headers: { ...auth(), host } });
      assert.equal(answer.status, 403, host);
      assert.equal(JSON.parse(answer.body).error.code, "forbidden_host");
    }
    for (const host of ["localhost", `localhost:${new URL(origin).port}`, "127.0.0.1", "[::1]:8787", "app.localhost"]) {
      assert.equal((await rawRequest(`${origin}/health`, { headers: { ...auth(), host } })).status, 200, host);
    }
  });

  it("refuses browser origins that were not allowed, and serves CORS for the allowed one", async () => {
    const foreign = await rawRequest(`${origin}/health`, { headers: { ...auth(), origin: "https://evil.example" } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers["access-control-allow-origin"], undefined);

    const preflight = await rawRequest(`${origin}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "http://app.example:3000", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, x-stainless-os" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers["access-control-allow-origin"], "http://app.example:3000");
    assert.equal(preflight.headers["access-control-allow-headers"], "authorization, content-type, x-stainless-os");

    const allowed = await rawRequest(`${origin}/health`, { headers: { ...auth(), origin: "http://app.example:3000" } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers["access-control-allow-origin"], "http://app.example:3000");
  });

  it("gives unknown routes, wrong methods and bad JSON OpenAI-shaped errors", async () => {
    const unknown = await rawRequest(`${origin}/v1/embeddings`, { method: "POST", headers: auth(), body: "{}" });
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.body).error.message, "Invalid URL (POST /v1/embeddings)");
    const method = await rawRequest(`${origin}/v1/responses`, { headers: auth() });
    assert.equal(method.status, 405);
    assert.equal(method.headers.allow, "POST");
    const json = await rawRequest(`${origin}/v1/responses`, { method: "POST", headers: auth(), body: "{not json" });
    assert.equal(json.status, 400);
    assert.equal(JSON.parse(json.body).error.code, "invalid_json");
  });

  it("names every answer's request in x-request-id, the id its access-log line carries", async () => {
    const post = (body: unknown) => ({ method: "POST", headers: { ...auth(), "content-type": "application/json" }, body: JSON.stringify(body) });
    const answers = {
      health: await rawRequest(`${origin}/health`),
      models: await rawRequest(`${origin}/v1/models`, { headers: auth() }),
      answer: await rawRequest(`${origin}/v1/responses`, post({ model: "gpt-5.5", input: "hi" })),
      stream: await rawRequest(`${origin}/v1/responses`, post({ model: "gpt-5.5", input: "hi", stream: true })),
      chat: await rawRequest(`${origin}/v1/chat/completions`, post({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }], stream: true })),
      unauthorized: await rawRequest(`${origin}/v1/models`),
      notFound: await rawRequest(`${origin}/v1/embeddings`, post({})),
      origin: await rawRequest(`${origin}/health`, { headers: { ...auth(), origin: "https://evil.example" } }),
      preflight: await rawRequest(`${origin}/v1/models`, { method: "OPTIONS", headers: { origin: "http://app.example:3000", "access-control-request-method": "GET" } }),
      cors: await rawRequest(`${origin}/v1/models`, { headers: { ...auth(), origin: "http://app.example:3000" } }),
    };
    assert.equal(answers.stream.headers["content-type"], "text/event-stream; charset=utf-8");
    assert.equal(answers.cors.headers["access-control-allow-origin"], "http://app.example:3000");
    const deadline = performance.now() + 10_000;
    const ids = Object.values(answers).map((answer) => answer.headers["x-request-id"]);
    while (!ids.every((id) => stack.logs.some((entry) => entry.requestId === id)) && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    for (const [name, answer] of Object.entries(answers)) {
      const id = answer.headers["x-request-id"];
      assert.match(String(id), /^req_[0-9a-f]{24}$/, name);
      assert.equal(stack.logs.find((entry) => entry.requestId === id)?.status, answer.status, name);
    }
    assert.equal(new Set(ids).size, ids.length, "one id per request");
  });

  it("never logs a credential, and logs prompt text only with logBodies (redacted)", async () => {
    const prompt = "my secret prompt sk-proj-abcdefghijklmnop123456";
    const answer = await rawRequest(`${origin}/v1/responses`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-5.5", input: prompt }),
    });
    assert.equal(answer.status, 200);
    const text = JSON.stringify(stack.logs);
    assert.ok(!text.includes(stack.server.apiKey), "local key");
    assert.ok(!text.includes(stack.emulator.apiKey), "upstream key");
    assert.ok(!text.includes("sk-proj-abcdefghijklmnop123456"), "key-shaped text in the body is redacted");
    assert.ok(text.includes("my secret prompt"), "logBodies keeps the prompt");
    assert.equal(redact(`x ${stack.server.apiKey} y`), "x [REDACTED] y", "the local key is registered with the redactor");
  });
});

describe("auth-guard units", () => {
  it("accepts IP literals and the bound name only when bound to a non-loopback address", () => {
    const loopback = new HostPolicy("127.0.0.1");
    assert.equal(loopback.allows("192.168.1.5:8787"), false);
    const lan = new HostPolicy("0.0.0.0");
    assert.equal(lan.allows("192.168.1.5:8787"), true);
    assert.equal(lan.allows("[fe80::1]:8787"), true);
    assert.equal(lan.allows("rebind.evil.example:8787"), false);
    assert.equal(new HostPolicy("devbox.lan").allows("devbox.lan:8787"), true);
    assert.equal(new HostPolicy("::1").allows("[::1]:8787"), true);
    assert.equal(loopback.allows(undefined), false);
  });

  it("checks the bearer key", () => {
    const check = new KeyCheck("cpk-right-key-123456");
    assert.doesNotThrow(() => check.verify("Bearer cpk-right-key-123456"));
    assert.doesNotThrow(() => check.verify("bearer cpk-right-key-123456"));
    for (const header of [undefined, "", "Basic abc", "Bearer cpk-right-key-12345", "Bearer cpk-right-key-1234567", "cpk-right-key-123456"]) {
      assert.throws(() => check.verify(header), (error: unknown) => error instanceof ServerError && error.status === 401, String(header));
    }
  });
});

describe("local key file", () => {
  let home: string;
  before(async () => (home = await mkdtemp(join(tmpdir(), "codex-provider-key-"))));
  after(() => rm(home, { recursive: true, force: true }));

  it("is created once, 0600, and agreed on by concurrent callers", async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateLocalKey(home)));
    assert.equal(new Set(keys).size, 1);
    assert.match(keys[0], /^cpk-[A-Za-z0-9_-]{43}$/);
    assert.equal((await readFile(localKeyPath(home), "utf8")).trim(), keys[0]);
    if (process.platform !== "win32") assert.equal((await stat(localKeyPath(home))).mode & 0o777, 0o600);
    assert.equal(await loadOrCreateLocalKey(home), keys[0]);
  });

  it("is refused when other users can read it, or when it is malformed", { skip: process.platform === "win32" }, async () => {
    await chmod(localKeyPath(home), 0o644);
    await assert.rejects(loadOrCreateLocalKey(home), /readable by other users/);
    await writeFile(localKeyPath(home), "short\n", { mode: 0o600 });
    await chmod(localKeyPath(home), 0o600);
    await assert.rejects(loadOrCreateLocalKey(home), /malformed/);
  });
});
