// Storing a Platform key: stdin only, verified, 0600, fingerprinted in output, used by ask.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "#src/emulator/index.js";
import { runCli } from "../support/cli.js";

test("login --with-api-key stores the piped key; ask, status and logout use it; the key is never printed", async () => {
  const emu = await startEmulator();
  try {
    const home = await mkdtemp(join(tmpdir(), "cp-login-"));
    const env = { CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, CODEX_PROVIDER_PROVIDER: undefined };
    const outputs: string[] = [];
    const run = async (args: string[], input?: string) => {
      const result = await runCli(args, { env, stdin: input });
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    const wrong = await run(["login", "--provider", "openai", "--with-api-key"], "sk-proj-notavalidkeynotavalidkey00\n");
    assert.equal(wrong.code, 3, "a key the API rejects is not stored");
    const empty = await run(["login", "--provider", "openai", "--with-api-key"], "\n");
    assert.equal(empty.code, 2);

    const login = await run(["login", "--provider", "openai", "--with-api-key"], `${emu.apiKey}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /sha256:[0-9a-f]{8}/);
    const file = join(home, "credentials", "default.json");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(JSON.parse(await readFile(file, "utf8")).credentials.openai.key, emu.apiKey);

    const ask = await run(["ask", "hi"]);
    assert.equal(ask.code, 0, ask.stderr);
    const status = await run(["status", "--json"]);
    assert.equal(status.code, 0);
    assert.equal(JSON.parse(status.stdout).providers.find((p: { provider: string }) => p.provider === "openai").usable, true);

    assert.equal((await run(["logout", "--provider", "openai"])).code, 0);
    assert.equal((await run(["ask", "hi"])).code, 3);
    for (const output of outputs) assert.ok(!output.includes(emu.apiKey), "the key leaked into output");
  } finally {
    await emu.close();
  }
});

test("login and logout take the profile from CODEX_PROVIDER_PROFILE when no flag names one", async () => {
  const emu = await startEmulator();
  try {
    const home = await mkdtemp(join(tmpdir(), "cp-login-"));
    const env = { CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: emu.apiUrl, CODEX_PROVIDER_PROFILE: "work", OPENAI_API_KEY: undefined };
    const login = await runCli(["login", "--provider", "openai", "--with-api-key", "--no-verify"], { env, stdin: emu.apiKey });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /profile work/);
    assert.ok((await stat(join(home, "credentials", "work.json"))).isFile());
    assert.equal((await runCli(["ask", "hi"], { env })).code, 0, "ask uses the same profile");
    const logout = await runCli(["logout", "--provider", "openai"], { env });
    assert.match(logout.stdout, /Removed/);
  } finally {
    await emu.close();
  }
});
