// StrictModes on the state directory and symlink handling, with real files, real
// owners (chown to another uid) and, where it matters, a real process of another
// uid planting files through a directory it can write to.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CredentialStore } from "#src/auth/store/index.js";
import { startEmulator, type Emulator } from "#src/emulator/index.js";
import { isProviderError } from "#src/errors.js";
import { runCli } from "../../support/cli.js";

const OTHER_UID = 65534;
const isRoot = process.getuid?.() === 0;
const posix = process.platform !== "win32";
// Making a file another user's needs root here; without it only the mode checks run.
const needsRoot = isRoot ? false : "chown to another uid needs root";
const canSetpriv = isRoot && spawnSync("setpriv", ["--reuid", String(OTHER_UID), "--regid", String(OTHER_UID), "--clear-groups", "true"]).status === 0;

let emu: Emulator;
let parent: string;
before(async () => {
  emu = await startEmulator();
  // Traversable by the other uid, so its process can reach a home we leave open.
  parent = await mkdtemp(join(tmpdir(), "cp-perms-"));
  await chmod(parent, 0o755);
});
after(async () => {
  await emu.close();
  await rm(parent, { recursive: true, force: true });
});

let count = 0;
async function newHome(mode = 0o700): Promise<string> {
  const home = join(parent, `home-${count++}`);
  await mkdir(home, { mode });
  await chmod(home, mode);
  return home;
}

/** A home with a stored API key for the emulator, written by the store as a login does. */
async function signedInHome(): Promise<string> {
  const home = await newHome();
  await new CredentialStore({ home }).modify("default", (data) => {
    data.credentials.openai = { type: "api-key", key: emu.apiKey, savedAt: new Date().toISOString() };
  });
  return home;
}

function cliEnv(home: string, apiUrl: string | undefined = emu.apiUrl): Record<string, string | undefined> {
  return { CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: apiUrl, OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, CODEX_PROVIDER_PROVIDER: undefined, CODEX_PROVIDER_PROFILE: undefined };
}

const status = (home: string) => runCli(["status", "--provider", "openai"], { env: cliEnv(home) });

function assertRefused(run: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, pattern);
}

describe("StrictModes on the state directory", { skip: posix ? false : "POSIX modes only" }, () => {
  it("a state directory others can write is refused before config.toml is trusted; a planted api_url gets no request", { skip: canSetpriv ? false : "needs root and setpriv to run a process as another uid" }, async () => {
    const home = await signedInHome();
    await chmod(home, 0o777);
    const seen: string[] = [];
    const attacker = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ? "with authorization" : ""}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((done) => attacker.listen(0, "127.0.0.1", done));
    try {
      const url = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/v1`;
      // Another uid plants the config through the open directory.
      const plant = spawnSync("setpriv", ["--reuid", String(OTHER_UID), "--regid", String(OTHER_UID), "--clear-groups", "sh", "-c", `printf 'api_url = "%s"\\n' "$1" > "$2"`, "sh", url, join(home, "config.toml")]);
      assert.equal(plant.status, 0, String(plant.stderr));
      assert.equal((await stat(join(home, "config.toml"))).uid, OTHER_UID);

      const ask = await runCli(["ask", "--provider", "openai", "hi"], { env: cliEnv(home, undefined) });
      assertRefused(ask, /\(the state directory\) is writable by group and others \(mode 0777\)/);
      assert.match(ask.stderr, new RegExp(`chmod go-w '${home}'`));
      assert.deepEqual(seen, [], "the stored key was not sent to the planted server");

      // Fixing the directory is not enough: the planted config is not ours.
      await chmod(home, 0o700);
      const again = await runCli(["ask", "--provider", "openai", "hi"], { env: cliEnv(home, undefined) });
      assertRefused(again, /config\.toml \(the config file\) is owned by uid 65534, not by you/);
      assert.deepEqual(seen, []);
    } finally {
      attacker.close();
    }
  });

  it("a config.toml others can write is refused with the chmod that fixes it", async () => {
    const home = await newHome();
    await writeFile(join(home, "config.toml"), 'model = "gpt-5"\n', { mode: 0o666 });
    await chmod(join(home, "config.toml"), 0o666);
    const run = await runCli(["config", "show"], { env: cliEnv(home) });
    assertRefused(run, /config\.toml \(the config file\) is writable by group and others \(mode 0666\)/);
    assert.match(run.stderr, /chmod go-w '.*config\.toml'/);
    await chmod(join(home, "config.toml"), 0o644);
    assert.equal((await runCli(["config", "show"], { env: cliEnv(home) })).code, 0);
  });

  it("a state directory, credentials/ or credential file owned by another uid is refused", { skip: needsRoot }, async () => {
    for (const target of ["", "credentials", "credentials/default.json"]) {
      const home = await signedInHome();
      await chown(join(home, target), OTHER_UID, OTHER_UID);
      const run = await status(home);
      assertRefused(run, new RegExp(`${join(home, target).replaceAll(".", "\\.")} \\((the|a) .*\\) is owned by uid 65534, not by you`));
      assert.match(run.stderr, /chown 0 '/);
    }
  });

  it("a group-writable credential file or credentials/ is refused, not silently tightened", async () => {
    for (const [target, mode] of [["credentials/default.json", 0o660], ["credentials", 0o770]] as const) {
      const home = await signedInHome();
      await chmod(join(home, target), mode);
      assertRefused(await status(home), /is writable by its group/);
      assert.equal((await stat(join(home, target))).mode & 0o777, mode, "left as it was");
    }
  });

  it("a readable-by-others credentials/ (0755) and credential file (0644) you own are tightened with one warning line each", async () => {
    const home = await signedInHome();
    const dir = join(home, "credentials");
    await chmod(dir, 0o755);
    await chmod(join(dir, "default.json"), 0o644);
    const run = await status(home);
    assert.equal(run.code, 0, run.stderr);
    const warnings = run.stderr.split("\n").filter((line) => line.startsWith("warning: tightened"));
    assert.deepEqual(warnings, [
      `warning: tightened ${dir} from mode 0755 to 0700: it holds your credentials`,
      `warning: tightened ${join(dir, "default.json")} from mode 0644 to 0600: it holds your credentials`,
    ]);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, "default.json"))).mode & 0o777, 0o600);
  });

  it("the library reports a tightened mode as a warning notice, not on the terminal", async () => {
    const home = await signedInHome();
    await chmod(join(home, "credentials"), 0o750);
    const warnings: string[] = [];
    const store = new CredentialStore({ home, onNotice: (notice) => warnings.push(`${notice.code}: ${notice.message}`) });
    const data = await store.read("default");
    assert.equal(data.credentials.openai?.type, "api-key");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^warning: tightened .*credentials from mode 0750 to 0700/);
  });
});

describe("symlinks in the state directory", { skip: posix ? false : "POSIX symlinks only" }, () => {
  it("a symlinked credential file is an error naming both paths; a read-only command does not chmod its target", async () => {
    const home = await signedInHome();
    const file = join(home, "credentials", "default.json");
    const elsewhere = join(parent, `elsewhere-${count++}.json`);
    await writeFile(elsewhere, await readFile(file, "utf8"), { mode: 0o644 });
    await chmod(elsewhere, 0o644);
    await rm(file);
    await symlink(elsewhere, file);

    const run = await status(home);
    assertRefused(run, new RegExp(`credential file ${file.replaceAll(".", "\\.")} is a symbolic link to ${elsewhere.replaceAll(".", "\\.")}`));
    assert.equal((await stat(elsewhere)).mode & 0o777, 0o644, "the target's mode is unchanged");

    // A login does not write through or replace the link either.
    const login = await runCli(["login", "--provider", "openai", "--with-api-key"], { env: cliEnv(home), stdin: `${emu.apiKey}\n` });
    assertRefused(login, /is a symbolic link to/);
    assert.equal((await stat(elsewhere)).mode & 0o777, 0o644);
    assert.ok((await readFile(elsewhere, "utf8")).includes(emu.apiKey));
  });

  it("a symlinked credential is refused by the library with config_error", async () => {
    const home = await signedInHome();
    const file = join(home, "credentials", "work.json");
    await symlink(join(home, "credentials", "default.json"), file);
    await assert.rejects(new CredentialStore({ home }).read("work"), (error) => isProviderError(error, "config_error") && error.message.includes(file));
  });

  it("a symlinked credentials/ directory is refused", async () => {
    const home = await signedInHome();
    const moved = join(parent, `creds-${count++}`);
    await rename(join(home, "credentials"), moved);
    await symlink(moved, join(home, "credentials"));
    assertRefused(await status(home), /credentials is a symbolic link to .*; the credentials directory must be a real directory/);
  });

  it("a symlinked state directory works when its target passes, and is refused when it does not", async () => {
    const target = await signedInHome();
    const link = join(parent, `link-${count++}`);
    await symlink(target, link);
    const ok = await status(link);
    assert.equal(ok.code, 0, ok.stderr);
    await chmod(target, 0o757);
    const bad = await status(link);
    assertRefused(bad, new RegExp(`${link} -> ${target} \\(the state directory\\) is writable by others`));
  });
});
