import assert from "node:assert/strict";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { isProviderError } from "#src/errors.js";
import { writeFileAtomic } from "#src/auth/store/index.js";
import { withHome } from "../../support/home.js";

const mode = async (path: string) => (await stat(path)).mode & 0o777;

test("writes a 0600 file in a new 0700 directory and leaves no temp file", () =>
  withHome(async (home) => {
    const file = join(home, "nested", "dir", "secret.json");
    await writeFileAtomic(file, "first");
    await writeFileAtomic(file, "second");
    assert.equal(await readFile(file, "utf8"), "second");
    assert.equal(await mode(file), 0o600);
    assert.equal(await mode(join(home, "nested")), 0o700);
    assert.equal(await mode(join(home, "nested", "dir")), 0o700);
    assert.deepEqual(await readdir(join(home, "nested", "dir")), ["secret.json"]);
  }));

test("replacing a world-readable file yields mode 0600", () =>
  withHome(async (home) => {
    const file = join(home, "f");
    await writeFile(file, "old", { mode: 0o644 });
    await writeFileAtomic(file, "new");
    assert.equal(await mode(file), 0o600);
  }));

test("a failed write keeps the target and removes its temp file", () =>
  withHome(async (home) => {
    const target = join(home, "target");
    await mkdir(join(target, "occupied"), { recursive: true }); // rename onto a non-empty dir fails
    await assert.rejects(writeFileAtomic(target, "data"), (error) => {
      assert.ok(isProviderError(error, "credential_store_error"));
      assert.match(error.message, /could not write .*target/);
      return true;
    });
    assert.deepEqual(await readdir(home), ["target"]);
  }));
