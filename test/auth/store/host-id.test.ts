import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { test } from "node:test";
import { isProviderError } from "#src/errors.js";
import { hostIdPath, readOrCreateHostId } from "#src/auth/store/index.js";
import { exited, nextMessage, startWorker } from "./helpers.js";
import { withHome } from "../../support/home.js";

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("creates a persistent urn:uuid v4 host id in a 0600 file", () =>
  withHome(async (home) => {
    const id = await readOrCreateHostId(home);
    assert.match(id, UUID_URN);
    assert.equal(await readOrCreateHostId(home), id);
    assert.equal(await readFile(hostIdPath(home), "utf8"), `${id}\n`);
    assert.equal((await stat(hostIdPath(home))).mode & 0o777, 0o600);
  }));

test("concurrent first calls in several processes agree on one id", () =>
  withHome(async (home) => {
    const workers = Array.from({ length: 4 }, () => startWorker("host-id", home));
    const ids = await Promise.all(workers.map(nextMessage));
    await Promise.all(workers.map(exited));
    const local = await Promise.all([readOrCreateHostId(home), readOrCreateHostId(home)]);
    assert.equal(new Set([...ids, ...local]).size, 1);
    assert.match(local[0], UUID_URN);
  }));

test("a damaged host-id file is reported, not replaced", () =>
  withHome(async (home) => {
    await writeFile(hostIdPath(home), "not an id\n");
    await assert.rejects(readOrCreateHostId(home), (error) => {
      assert.ok(isProviderError(error, "credential_store_error"));
      assert.ok(error.message.includes(hostIdPath(home)));
      return true;
    });
    assert.equal(await readFile(hostIdPath(home), "utf8"), "not an id\n");
  }));
