// The https path (TLS loads lazily) end to end: the real CLI against a local TLS server
// whose self-signed certificate is trusted through NODE_EXTRA_CA_CERTS, and refused without it,
// over each HTTP client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli.js";
import { hasOpenssl, responsesStream, selfSignedCert } from "./tls-fixture.js";

const STREAM = responsesStream("resp_tls", "over TLS");

test("https endpoints work when the certificate is trusted and fail clearly when it is not", { skip: hasOpenssl() ? false : "openssl is not installed" }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "cp-tls-"));
  const { key, cert } = selfSignedCert(dir);
  const seen: string[] = [];
  const server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization === "Bearer sk-proj-tlstesttlstesttlstest" ? "authorized" : "anonymous"}`);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(STREAM);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const env = {
      CODEX_PROVIDER_HOME: dir,
      CODEX_PROVIDER_API_URL: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      OPENAI_API_KEY: "sk-proj-tlstesttlstesttlstest",
      CODEX_PROVIDER_MAX_RETRIES: "0",
    };
    // Both HTTP clients: node:http (what one-shot commands use) and undici (serve's).
    for (const client of ["node", "undici"]) {
      seen.length = 0;
      const trusted = await runCli(["ask", "hi"], { env: { ...env, CODEX_PROVIDER_HTTP_CLIENT: client, NODE_EXTRA_CA_CERTS: cert } });
      assert.equal(trusted.code, 0, trusted.stderr);
      assert.equal(trusted.stdout.trim(), "over TLS");
      assert.deepEqual(seen, ["POST /v1/responses authorized"]);

      const untrusted = await runCli(["ask", "hi"], { env: { ...env, CODEX_PROVIDER_HTTP_CLIENT: client, NODE_EXTRA_CA_CERTS: undefined } });
      assert.equal(untrusted.code, 5, `${client}: ${untrusted.stderr}`);
      assert.match(untrusted.stderr, /Could not reach https:\/\/127\.0\.0\.1:\d+: \S*(SELF_SIGNED|CERT)/);
    }
  } finally {
    server.close();
  }
});
