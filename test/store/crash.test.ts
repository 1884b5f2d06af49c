// Kill a writer at random moments: the file must always be a complete old or new value.
import assert from "node:assert/strict";
import { readdir, stat, utimes } from "node:fs/promises";
import { dirname } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CredentialStore } from "#src/auth/store/index.js";
import { padFor, readBig, writeBig } from "./fixtures/profiles.js";
import { kill, nextMessage, startWorker } from "./helpers.js";
import { withHome } from "../support/home.js";

const STALE_MS = 2000;

test("SIGKILL during large writes never leaves a torn file; the stale lock is recovered", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home, lock: { staleMs: STALE_MS, timeoutMs: 5000 } });
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

      // A lock left by the dead writer: make it look STALE_MS old instead of waiting.
      const lock = await stat(`${file}.lock`).catch(() => undefined);
      if (lock) {
        locksLeft++;
        const past = new Date(Date.now() - STALE_MS - 1000);
        await utimes(`${file}.lock`, past, past);
      }
    }
    assert.ok(lastSeq > 20, `writers made progress (${lastSeq} writes)`);
    assert.ok(locksLeft > 0, "some kills landed while the lock was held");

    // The next modify takes over any stale lock and sweeps temp files of killed writers.
    const seq = await store.modify("default", writeBig);
    assert.equal(seq, lastSeq + 1);
    assert.deepEqual(await readdir(dirname(file)), ["default.json"]);
  }));
