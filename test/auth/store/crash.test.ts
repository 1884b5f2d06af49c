// Kill a writer at random moments: the file must always be a complete old or new value.
import assert from "node:assert/strict";
import { lstat, readdir } from "node:fs/promises";
import { dirname } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CredentialStore } from "#src/auth/store/index.js";
import { padFor, readBig, writeBig } from "./fixtures/profiles.js";
import { kill, nextMessage, startWorker } from "./helpers.js";
import { withHome } from "../../support/home.js";

// The default window: a dead writer on this host must not make anyone wait for it.
const STALE_MS = 10_000;

test("SIGKILL during large writes never leaves a torn file; the dead writer's lock is broken at once", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home, lock: { staleMs: STALE_MS, timeoutMs: 1000 } });
    const file = store.filePath("default");
    let lastSeq = 0;
    let locksLeft = 0;
    for (let round = 0; round < 20; round++) {
      const writer = startWorker("churn", home, undefined, STALE_MS);
      assert.equal(await nextMessage(writer), "ready");
      await sleep(Math.random() * 60);
      await kill(writer);

      const big = readBig(await store.read("default")); // throws if the file is torn
      assert.ok(big, "the profile exists");
      assert.equal(big.pad, padFor(big.seq), "the value is internally consistent");
      assert.ok(big.seq >= lastSeq, "never older than a value already seen");
      lastSeq = big.seq;

      // A lock left by the dead writer is broken at once: its holder is gone.
      if (await lstat(`${file}.lock`).catch(() => undefined)) locksLeft++;
    }
    assert.ok(lastSeq > 20, `writers made progress (${lastSeq} writes)`);
    assert.ok(locksLeft > 0, "some kills landed while the lock was held");

    // The next modify takes over the dead writer's lock and sweeps its temp files.
    const started = Date.now();
    const seq = await store.modify("default", writeBig);
    assert.ok(Date.now() - started < 1000, "a dead holder's lock does not make the next writer wait");
    assert.equal(seq, lastSeq + 1);
    assert.deepEqual(await readdir(dirname(file)), ["default.json"]);
  }));
