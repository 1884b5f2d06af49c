// `doctor` through the real CLI as a child process against the emulator: ready, not
// signed in, an unreachable endpoint, a server clock two hours ahead, the --json shape,
// and no secret in either output. No inference request is ever made.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { OAuthCredential } from "#src/auth/credential.js";
import { startEmulator, type Emulator } from "#src/emulator/index.js";
import { signIn as chatgptSignIn } from "../support/siwc.js";
import { assertNoSecrets, cliEnv } from "../support/codex.js";
import { runCli as run } from "../support/cli.js";

/** The CLI with exactly `env` (nothing inherited), as a user's shell would run it. */
const runCli = (args: string[], env: Record<string, string>) => run(args, { env, inherit: false });

interface DoctorJson {
  ready: boolean;
  exitCode: number;
  selected: { provider: string; profile: string };
  node: { ok: boolean; version: string };
  home: { ok: boolean; path: string; writable: boolean };
  config: { ok: boolean; settings: Record<string, { value?: string; source: string; origin?: string }> };
  credentials: Array<{ provider: string; usable: boolean; signedIn: boolean; kind?: string; scopes?: string[]; lastRefresh?: string; expiresAt?: string }>;
  network: Record<string, string>;
  endpoints: Array<{ name: string; url: string; via: string; reachable: boolean; status?: number; error?: string; skewMs?: number }>;
  clock: { ok: boolean; skewMs?: number };
  problems: string[];
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("codex-provider doctor", () => {
  let emu: Emulator;
  let home: string;
  let env: Record<string, string>;
  let credential: OAuthCredential;

  before(async () => {
    emu = await startEmulator();
    home = await mkdtemp(join(tmpdir(), "cp-doctor-"));
    credential = await chatgptSignIn(emu, home);
    env = cliEnv(emu, home, { CODEX_PROVIDER_API_URL: emu.apiUrl, HTTPS_PROXY: "http://user:hunter2-proxy-pass@proxy.invalid:3128", NO_PROXY: "127.0.0.1,localhost" });
  });
  after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  });

  async function doctor(args: string[], extra: Record<string, string> = {}) {
    const before = emu.requests.length;
    const run = await runCli(["doctor", ...args], { ...env, ...extra });
    const paths = emu.requests.slice(before).map((r) => r.path);
    assert.ok(!paths.some((p) => /responses|chat\/completions/.test(p)), `doctor made an inference call: ${paths.join(", ")}`);
    for (const request of emu.requests.slice(before)) assert.equal(request.headers.authorization, undefined, "doctor sends no credential");
    assertNoSecrets(run.stdout + run.stderr, [credential.accessToken, credential.refreshToken, credential.idToken, emu.apiKey, "hunter2-proxy-pass"]);
    return run;
  }

  it("ready: exit 0, the table names the credential, endpoints and clock", async () => {
    const run = await doctor(["-p", "chatgpt"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /✓ ▸ chatgpt +signed in · .*scopes .*chatgpt\.tokens\.use\.direct/);
    assert.match(run.stdout, /✓ discovery +http:\/\/127\.0\.0\.1:\d+\/auth\/\.well-known\/openid-configuration → HTTP 200/);
    assert.match(run.stdout, /✓ models +http:\/\/127\.0\.0\.1:\d+\/v1\/models → HTTP 401/);
    assert.match(run.stdout, /✓ clock +in step/);
    assert.match(run.stdout, /api_url +http:\/\/127\.0\.0\.1:\d+\/v1 +from CODEX_PROVIDER_API_URL/);
    assert.match(run.stdout, /HTTPS_PROXY=http:\/\/\*\*\*@proxy\.invalid:3128/);
    assert.match(run.stdout, /Ready: chatgpt can be used\./);
  });

  it("--json: the whole report, ready and its exit code", async () => {
    const run = await doctor(["-p", "chatgpt", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as DoctorJson;
    assert.equal(json.ready, true);
    assert.equal(json.exitCode, 0);
    assert.deepEqual(json.selected, { provider: "chatgpt", profile: "default" });
    assert.equal(json.node.version, process.version);
    assert.equal(json.home.path, home);
    assert.equal(json.home.writable, true);
    assert.deepEqual(json.config.settings.provider, { value: "chatgpt", source: "flag", origin: "--provider" });
    assert.deepEqual(json.credentials.map((c) => c.provider), ["openai", "chatgpt", "chatgpt-codex"]);
    const chatgpt = json.credentials.find((c) => c.provider === "chatgpt")!;
    assert.equal(chatgpt.usable, true);
    assert.deepEqual(chatgpt.scopes, credential.scopes);
    assert.equal(chatgpt.lastRefresh, credential.lastRefresh);
    assert.equal(chatgpt.expiresAt, new Date(credential.expiresAt!).toISOString());
    assert.deepEqual(json.endpoints.map((e) => [e.name, e.reachable]), [["discovery", true], ["models", true]]);
    assert.equal(json.network.NO_PROXY, "127.0.0.1,localhost");
    assert.equal(json.clock.ok, true);
    assert.ok(Math.abs(json.clock.skewMs!) < 2_000, `skew ${json.clock.skewMs}`);
    assert.deepEqual(json.problems, []);
  });

  it("not signed in: exit 3 and the sign-in command", async () => {
    const run = await doctor(["-p", "chatgpt-codex", "--json"]);
    assert.equal(run.code, 3, run.stderr);
    const json = JSON.parse(run.stdout) as DoctorJson;
    assert.equal(json.ready, false);
    assert.match(json.problems[0], /chatgpt-codex has no usable credential \(profile default\): codex-provider login --provider chatgpt-codex/);
    const table = await doctor(["-p", "chatgpt-codex"]);
    assert.equal(table.code, 3);
    assert.match(table.stdout, /✗ ▸ chatgpt-codex +not signed in/);
    assert.match(table.stdout, /problem: chatgpt-codex has no usable credential/);
  });

  it("an unreachable endpoint: exit 5, named with why, within the probe timeout", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}/v1`;
    const run = await doctor(["-p", "openai", "--api-url", dead], { OPENAI_API_KEY: emu.apiKey });
    assert.equal(run.code, 5, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`✗ models +${dead.replaceAll(".", "\\.")}/models → network_error`));
    assert.match(run.stdout, /problem: models endpoint .* is unreachable/);
  });

  it("a server clock two hours ahead: exit 1 and the skew", async () => {
    emu.setClockSkew(2 * 3600_000);
    try {
      const run = await doctor(["-p", "chatgpt", "--json"]);
      assert.equal(run.code, 1, run.stdout);
      const json = JSON.parse(run.stdout) as DoctorJson;
      assert.equal(json.clock.ok, false);
      assert.ok(Math.abs(json.clock.skewMs! - 7_200_000) < 2_000, `skew ${json.clock.skewMs}`);
      assert.match(json.problems.join("\n"), /clock: set this computer's clock/);
      const table = await doctor(["-p", "chatgpt"]);
      assert.match(table.stdout, /✗ clock +server is 7(199|200|201) s ahead of this computer/);
    } finally {
      emu.setClockSkew(0);
    }
  });

  it("names the proxy each probe goes through, its password masked", async () => {
    // The emulator doubles as an HTTP proxy: it answers the absolute-form request itself.
    const proxy = `http://someone:proxy-secret-pw@${new URL(emu.url).host}`;
    const run = await doctor(["-p", "openai", "--json"], { OPENAI_API_KEY: emu.apiKey, HTTP_PROXY: proxy, NO_PROXY: "" });
    assertNoSecrets(run.stdout + run.stderr, ["proxy-secret-pw"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const json = JSON.parse(run.stdout) as DoctorJson;
    assert.deepEqual(json.endpoints.map((e) => e.via), [`http://***@${new URL(emu.url).host} (from HTTP_PROXY)`]);
    assert.ok(emu.requests.some((r) => r.path === `${emu.apiUrl}/models` && r.headers["proxy-authorization"]), "the probe went through the proxy");
  });

  it("the clock control is also reachable over HTTP for an emulator in another process", async () => {
    const set = await fetch(`${emu.url}/__emulator/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ skewMs: -60_000 }) });
    assert.equal(set.status, 204);
    try {
      const date = Date.parse((await fetch(`${emu.apiUrl}/models`)).headers.get("date")!);
      assert.ok(Math.abs(date - (Date.now() - 60_000)) < 2_000);
    } finally {
      emu.setClockSkew(0);
    }
    const bad = await fetch(`${emu.url}/__emulator/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(bad.status, 400);
  });
});
