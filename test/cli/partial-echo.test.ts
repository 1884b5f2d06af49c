// An upstream that quotes part of the key back (here its last 29 characters, as a
// hostile or careless service might) in every error: the fragment never reaches the
// output of `ask`, `ask --json`, `models`, `login`, nor the local server's clients.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createServer as createLocalServer } from "#src/server/index.js";
import { runCli } from "../support/cli.js";

const KEY = `sk-proj-${randomBytes(36).toString("base64url")}`;
const TAIL = KEY.slice(-29);

/** Every request is refused with a message that quotes the tail of the key it was sent. */
async function startEchoingUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    const sent = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ...${sent.slice(-29)}. You can find your API key at the dashboard.`, type: "invalid_request_error", param: null, code: "invalid_api_key" } });
    res.writeHead(401, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

describe("an upstream that echoes part of the key", () => {
  let upstream: { url: string; server: Server };
  let home: string;
  let env: Record<string, string | undefined>;
  before(async () => {
    upstream = await startEchoingUpstream();
    home = await mkdtemp(join(tmpdir(), "cp-echo-"));
    env = { CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: upstream.url, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: undefined, CODEX_PROVIDER_PROVIDER: "openai" };
  });
  after(async () => {
    upstream.server.close();
    upstream.server.closeAllConnections();
    await rm(home, { recursive: true, force: true });
  });

  /** The quoted fragment was there (the mask shows it) and is gone. */
  function assertMasked(output: string, where: string): void {
    assert.ok(!output.includes(TAIL), `${where} printed the key's tail: ${output}`);
    assert.ok(!output.includes(TAIL.slice(0, 16)) && !output.includes(TAIL.slice(-16)), `${where} printed a fragment`);
    assert.match(output, /Incorrect API key provided: \.\.\.\[REDACTED\]/, `${where} lost the message around the mask`);
  }

  for (const args of [["ask", "hi"], ["ask", "--json", "hi"], ["models"], ["models", "--json"]]) {
    it(`codex-provider ${args.join(" ")}`, async () => {
      const run = await runCli(args, { env });
      assert.notEqual(run.code, 0);
      assertMasked(run.stdout + run.stderr, args.join(" "));
    });
  }

  it("codex-provider login --with-api-key", async () => {
    const run = await runCli(["login", "--provider", "openai", "--with-api-key"], { env: { ...env, OPENAI_API_KEY: undefined }, stdin: `${KEY}\n` });
    assert.equal(run.code, 3);
    assertMasked(run.stdout + run.stderr, "login");
  });

  it("the local server's answer to its client", async () => {
    const server = await createLocalServer({ env: { CODEX_PROVIDER_API_URL: upstream.url, OPENAI_API_KEY: KEY }, home, port: 0 });
    try {
      for (const path of ["/responses", "/chat/completions"]) {
        const res = await fetch(`${server.baseUrl}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "gpt-5.5", input: "hi", messages: [{ role: "user", content: "hi" }] }),
        });
        assert.equal(res.status, 401);
        assertMasked(await res.text(), `server ${path}`);
      }
    } finally {
      await server.close({ drainTimeoutMs: 0 });
    }
  });
});
