// `serve` as a real process against hostile clients: a model name carrying a newline
// and terminal escapes cannot forge an access-log line or reach the terminal (text
// and JSON logs, with --log-bodies), and the connection cap and body limit are set
// from a flag and an env variable.
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "#src/emulator/index.js";
import { loadOrCreateLocalKey } from "#src/server/local-key.js";
import { rawRequest } from "./helpers.js";
import { startServe } from "./serve-process.js";
import { eventually } from "../support/poll.js";

const FORGED = "2026-01-01T00:00:00.000Z GET /v1/forged 200 - 1ms req_forged";
const EVIL_MODEL = `gpt-5.5\n${FORGED}\u001b[2J\u001b]0;owned\u0007\u009b31m\u202e`;
/** Anything a terminal would act on. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("serve against hostile clients", () => {
  let emulator: Emulator;
  let home: string;
  let env: Record<string, string>;
  let key: string;
  before(async () => {
    emulator = await startEmulator();
    home = await mkdtemp(join(tmpdir(), "codex-provider-serve-"));
    key = await loadOrCreateLocalKey(home);
    env = { PATH: process.env.PATH ?? "", HOME: home, CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: emulator.apiUrl, OPENAI_API_KEY: emulator.apiKey, NO_COLOR: "1" };
  });
  after(async () => {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
  });

  async function sendEvilModel(baseUrl: string): Promise<void> {
    const body = JSON.stringify({ model: EVIL_MODEL, input: `line one\n${FORGED}\u001b[31m` }, null, 2);
    const answer = await rawRequest(`${baseUrl}/responses`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
    assert.equal(answer.status, 404, answer.body);
  }

  for (const mode of ["text", "json"] as const) {
    it(`keeps the ${mode} access log one line per request, with no control character from the request`, async () => {
      const serve = await startServe(mode === "json" ? ["--json", "--log-bodies"] : ["--log-bodies"], env);
      await sendEvilModel(serve.baseUrl);
      assert.equal(await serve.stop(), 0);
      const stderr = serve.stderr();
      assert.ok(!CONTROL.test(stderr), `control characters reached the terminal: ${JSON.stringify(stderr)}`);
      const lines = stderr.split("\n").filter((line) => line.includes("/v1/responses"));
      assert.equal(lines.length, 1, stderr);
      assert.ok(!stderr.split("\n").some((line) => line.startsWith(FORGED.slice(0, 24))), "a forged line");
      if (mode === "json") {
        const entry = JSON.parse(lines[0]);
        assert.equal(entry.model, EVIL_MODEL, "JSON escaping loses nothing");
        assert.equal(entry.status, 404);
      } else {
        assert.match(lines[0], / 404 "gpt-5\.5\\u000a2026-01-01T00:00:00\.000Z GET \/v1\/forged 200 - 1ms req_forged\\u001b\[2J/);
      }
    });
  }

  it("takes the connection cap from --max-connections and the body limit from the env", async () => {
    const serve = await startServe(["--max-connections", "1"], { ...env, CODEX_PROVIDER_MAX_REQUEST_BODY_MIB: "1" });
    try {
      const { hostname, port } = new URL(serve.baseUrl);
      const held = connect(Number(port), hostname);
      await once(held, "connect");
      const auth = { authorization: `Bearer ${key}`, connection: "close" };
      const refused = await rawRequest(`${serve.baseUrl}/models`, { headers: auth });
      assert.equal(refused.status, 503);
      assert.equal(JSON.parse(refused.body).error.code, "too_many_connections");
      held.destroy();

      const big = JSON.stringify({ model: "gpt-5.5", input: "x".repeat(1024 * 1024) });
      let answer = refused;
      // Until serve has seen the held connection close, its slot is still taken.
      await eventually(async () => {
        answer = await rawRequest(`${serve.baseUrl}/responses`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: big });
        return answer.status !== 503;
      }, 10_000, "the freed connection slot");
      assert.equal(answer.status, 413, answer.body);
      assert.equal(JSON.parse(answer.body).error.code, "request_too_large");
    } finally {
      await serve.stop();
    }
    assert.match(serve.stderr(), /^warning: refused 1 connection\(s\) with a 503: 1 already open/m, "the operator hears of refusals");
  });
});
