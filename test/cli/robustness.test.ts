// The CLI when something is off, through the real CLI as a child process against the
// emulator: a corrupt credential file, no credential at `serve` time, non-UTF-8 stdin.
import assert from "node:assert/strict";
import { request } from "node:http";
import { chmod, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startEmulator, type Emulator } from "#src/emulator/index.js";
import { cliEnv } from "../support/codex.js";
import { runCli as run, startCli as start } from "../support/cli.js";

/** The CLI with exactly `env` (nothing inherited), as a user's shell would run it. */
const runCli = (args: string[], env: Record<string, string>, stdin?: string | Uint8Array) => run(args, { env, inherit: false, stdin });
const startCli = (args: string[], env: Record<string, string>) => start(args, { env, inherit: false });

/** GET `url` with exactly these headers (fetch would not let a test set Host). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** serve --json's connection details: its first stdout line. */
function connection(serve: ReturnType<typeof startCli>): Promise<{ url: string; baseUrl: string }> {
  return new Promise((resolve) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes("\n")) return;
      serve.child.stdout!.off("data", onData);
      resolve(JSON.parse(out.slice(0, out.indexOf("\n"))));
    };
    serve.child.stdout!.on("data", onData);
  });
}

describe("CLI robustness", () => {
  let emu: Emulator;
  let home: string;
  let env: Record<string, string>;

  before(async () => {
    emu = await startEmulator();
    home = await mkdtemp(join(tmpdir(), "cp-robust-"));
    env = cliEnv(emu, home, { CODEX_PROVIDER_API_URL: emu.apiUrl });
  });
  after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  });

  it("refuses non-UTF-8 stdin with exit 2 and sends nothing", async () => {
    const before = emu.requests.length;
    const latin1 = Buffer.from("caf\xe9 cr\xe8me\n", "latin1");
    const run = await runCli(["ask", "-q", "Summarise:", "-"], { ...env, OPENAI_API_KEY: emu.apiKey }, latin1);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /stdin is not UTF-8 text; nothing was sent/);
    assert.equal(emu.requests.length, before, "no request reached the server");
    const ok = await runCli(["ask", "-q", "-"], { ...env, OPENAI_API_KEY: emu.apiKey }, Buffer.from("café\n"));
    assert.equal(ok.code, 0, ok.stderr);
  });

  it("status reports a corrupt credential file for that profile, names its backup, and goes on", async () => {
    const dir = join(home, "credentials");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const corrupt = join(dir, "broken.json");
    await writeFile(corrupt, "{ not json", { mode: 0o600 });
    const written = new Date("2026-01-02T03:04:05.678Z");
    await utimes(corrupt, written, written);

    const run = await runCli(["status", "--json", "-p", "openai"], { ...env, OPENAI_API_KEY: emu.apiKey });
    assert.equal(run.code, 0, `the selected provider and profile (openai, default) are usable\n${run.stderr}`);
    const json = JSON.parse(run.stdout) as { profiles: string[]; providers: Array<{ provider: string; profile: string; usable: boolean; unreadable?: boolean; detail?: string; hint?: string }> };
    assert.deepEqual(json.profiles, ["default", "broken"]);
    const broken = json.providers.filter((p) => p.profile === "broken" && p.provider !== "openai");
    assert.equal(broken.length, 2);
    for (const p of broken) {
      assert.equal(p.unreadable, true);
      assert.equal(p.usable, false);
      assert.match(p.detail ?? "", /is not valid JSON/);
      assert.ok(p.hint?.includes(`${corrupt}.corrupt-2026-01-02T03-04-05.678Z`), p.hint);
      assert.doesNotMatch(p.hint ?? "", /<time>/);
    }

    const human = await runCli(["status", "--profile", "broken"], env);
    assert.equal(human.code, 3, "the selected profile is unreadable");
    assert.match(human.stdout, /openai {2}\[profile broken\] {2}unreadable/);

    // Signing in moves the file aside under exactly the name the message gave.
    const login = await runCli(["login", "-p", "openai", "--with-api-key", "--profile", "broken"], env, `${emu.apiKey}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.ok((await readdir(dir)).includes("broken.json.corrupt-2026-01-02T03-04-05.678Z"));
  });

  it("serve warns when the provider has no usable credential; keyless GET /health is liveness only", async () => {
    const serveHome = await mkdtemp(join(tmpdir(), "cp-robust-serve-"));
    const serve = startCli(["serve", "--port", "0", "--json", "-p", "chatgpt"], { ...env, CODEX_PROVIDER_HOME: serveHome, HOME: serveHome });
    try {
      const warning = await serve.waitForStderr(/warning: chatgpt has no usable credential \(profile default: you are not signed in\)[^\n]*\n/, 30_000);
      assert.match(warning[0], /codex-provider login --provider chatgpt/);
      const { url, baseUrl } = await connection(serve);
      const host = new URL(url).host;

      for (const path of [`${url}/health`, `${baseUrl}/health`]) {
        const live = await get(path, { host });
        assert.equal(live.status, 200);
        assert.deepEqual(JSON.parse(live.body), { status: "ok" }, "no details without the key");
      }
      assert.equal((await get(`${url}/health`, { host: "evil.example" })).status, 403, "the Host guard still applies");
      assert.equal((await get(`${baseUrl}/models`, { host })).status, 401, "other routes still need the key");
      assert.equal((await get(`${url}/health`, { host, authorization: "Bearer wrong" })).status, 401, "a wrong key is still refused");

      const key = (await runCli(["serve", "--print-key"], { ...env, CODEX_PROVIDER_HOME: serveHome })).stdout.trim();
      const detailed = JSON.parse((await get(`${url}/health`, { host, authorization: `Bearer ${key}` })).body) as { provider: string };
      assert.equal(detailed.provider, "chatgpt");

      const status = await runCli(["status", "-p", "chatgpt"], { ...env, CODEX_PROVIDER_HOME: serveHome });
      assert.equal(status.code, 3);
      assert.match(status.stdout, /chatgpt {2}\[profile default\] {2}not signed in/);
    } finally {
      serve.child.kill("SIGTERM");
      await serve.exit;
      await rm(serveHome, { recursive: true, force: true });
    }
  });

  it("serve starts without a warning when the provider is ready", async () => {
    const serve = startCli(["serve", "--port", "0", "--json", "-p", "openai"], { ...env, OPENAI_API_KEY: emu.apiKey });
    try {
      const { url } = await connection(serve);
      await get(`${url}/health`, { host: new URL(url).host });
      // The check runs before the server listens, so a warning would precede this log line.
      await serve.waitForStderr(/"path":"\/health"/, 30_000);
    } finally {
      serve.child.kill("SIGTERM");
      await serve.exit;
    }
    assert.doesNotMatch(serve.stderr(), /no usable credential/);
  });
  // Each sign-in flow, checked before it shows a URL or a device code or contacts the auth server.
  const flows = [
    ["login", "-p", "chatgpt"],
    ["login", "-p", "chatgpt-codex"],
    ["login", "-p", "chatgpt-codex", "--device"],
  ];

  for (const args of flows) {
    // Without the check a browser flow waits for a callback that never comes: the timeout turns that into a failure.
    it(`${args.join(" ")} refuses an unusable state directory before the user approves anything`, { timeout: 60_000 }, async () => {
      const scratch = await mkdtemp(join(tmpdir(), "cp-robust-home-"));
      try {
        // credentials/ is a file: nothing could be saved.
        await writeFile(join(scratch, "credentials"), "not a directory");
        const before = emu.requests.length;
        const run = await runCli(args, { ...env, CODEX_PROVIDER_HOME: scratch, HOME: scratch });
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /credentials is not a directory/);
        assert.doesNotMatch(run.stderr, /oauth\/authorize|device|code/i, "no URL or device code was shown");
        assert.equal(emu.requests.slice(before).filter((r) => r.path.startsWith("/auth")).length, 0, "the auth server was not contacted");
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });
  }

  it("an unwritable state directory fails the sign-in before the browser", { skip: process.getuid?.() === 0 ? "root writes anywhere: the mode cannot make the directory unwritable" : false }, async () => {
    const scratch = await mkdtemp(join(tmpdir(), "cp-robust-ro-"));
    await chmod(scratch, 0o500);
    try {
      const run = await runCli(["login", "-p", "chatgpt"], { ...env, CODEX_PROVIDER_HOME: scratch, HOME: scratch });
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /cannot (create|write in) .*EACCES/);
      assert.doesNotMatch(run.stderr, /oauth\/authorize/);
    } finally {
      await chmod(scratch, 0o700);
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it("CODEX_PROVIDER_HOME pointing at a file names the home, not config.toml", async () => {
    const file = join(home, "not-a-dir");
    await writeFile(file, "x");
    for (const args of [["status"], ["login", "-p", "chatgpt"], ["ask", "hi"], ["doctor"]]) {
      const run = await runCli(args, { ...env, CODEX_PROVIDER_HOME: file, OPENAI_API_KEY: emu.apiKey });
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stdout}${run.stderr}`);
      const output = run.stdout + run.stderr;
      assert.match(output, new RegExp(`the state directory ${file.replaceAll(".", "\\.")} is not a directory`), args.join(" "));
      assert.doesNotMatch(output, /config\.toml.*ENOTDIR|ENOTDIR/, args.join(" "));
    }
  });
  it("models, status, usage and doctor take the connection setting flags", async () => {
    // No URL in the environment: only the flags point at the emulator.
    const bare = { PATH: process.env.PATH ?? "", HOME: home, CODEX_PROVIDER_HOME: home, NO_COLOR: "1", OPENAI_API_KEY: emu.apiKey };
    const urls = ["--api-url", emu.apiUrl, "--auth-url", emu.authUrl, "--chatgpt-url", emu.chatgptUrl, "--max-retries", "0", "--request-timeout", "5000"];
    const models = await runCli(["models", "-p", "openai", ...urls], bare);
    assert.equal(models.code, 0, models.stderr);
    assert.ok(models.stdout.trim().split("\n").length > 0);
    const status = await runCli(["status", "-p", "openai", "--json", ...urls], bare);
    assert.equal(status.code, 0, status.stderr);
    const usage = await runCli(["usage", ...urls], bare);
    assert.equal(usage.code, 3, `usage needs a chatgpt-codex sign-in, and got past flag parsing: ${usage.stderr}`);
    const doctor = await runCli(["doctor", "-p", "openai", "--json", ...urls], bare);
    assert.equal(doctor.code, 0, doctor.stdout);
    assert.equal((JSON.parse(doctor.stdout) as { config: { settings: { api_url: { origin: string } } } }).config.settings.api_url.origin, "--api-url");
    const bad = await runCli(["models", "--max-retries", "many"], bare);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-retries: expected a whole number from 0 to 20/);
  });
});
