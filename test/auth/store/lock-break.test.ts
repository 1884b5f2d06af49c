import assert from "node:assert/strict";
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { lstat, readlink, symlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { breakLock, breakLockPath } from "#src/auth/store/lock-break.js";
import { withFileLock } from "#src/auth/store/index.js";
import { exited, kill, nextMessage } from "./helpers.js";
import { withHome } from "../../support/home.js";

const RACER = fileURLToPath(new URL("./fixtures/break-racer.js", import.meta.url));

/** The record of a holder that is certainly gone: a reaped pid and an impossible start tick. */
function deadHolderRecord(): string {
  const pid = spawnSync("true").pid;
  return JSON.stringify({ pid, host: hostname(), since: new Date().toISOString(), processStart: "0", nonce: Math.random().toString(16).slice(2) });
}

test("a breaker that saw a dead holder's lock leaves alone the live lock that replaced it", () =>
  withHome(async (home) => {
    const target = join(home, "file");
    const lockPath = `${target}.lock`;
    const dead = deadHolderRecord();
    await withFileLock(target, async () => {
      const live = await readlink(lockPath);
      const before = await lstat(lockPath);
      // The breaker read `dead` before the live holder replaced it, and only now acts.
      assert.equal(await breakLock(lockPath, dead, 10_000), true);
      assert.equal(await readlink(lockPath), live);
      assert.equal((await lstat(lockPath)).ino, before.ino, "the live lock was never moved or re-created");
    });
  }));

test("a break lock left by a breaker that died is broken, and the dead holder's lock with it", () =>
  withHome(async (home) => {
    const lockPath = join(home, "file.lock");
    const dead = deadHolderRecord();
    await symlink(dead, lockPath);
    // First attempt finds a dead breaker's break lock and removes it; the second breaks the lock.
    const breakPath = breakLockPath(lockPath, dead);
    await symlink(deadHolderRecord(), breakPath);
    assert.equal(await breakLock(lockPath, dead, 10_000), true);
    await assert.rejects(lstat(breakPath), { code: "ENOENT" });
    assert.equal(await breakLock(lockPath, dead, 10_000), true);
    await assert.rejects(lstat(lockPath), { code: "ENOENT" });
  }));

test("processes released at once at a dead holder's lock never hold it together", { timeout: 300_000 }, () =>
  withHome(async (home) => {
    const target = join(home, "file");
    const racers: ChildProcess[] = [];
    try {
      for (let i = 0; i < 4; i++) racers.push(fork(RACER, [target], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
      await Promise.all(racers.map((racer) => nextMessage(racer).then((m) => assert.equal(m, "ready"))));
      const died = Promise.race(racers.map(exited)).then((how) => {
        throw new Error(`a racer exited (${how})`);
      });
      died.catch(() => undefined); // they are killed at the end; the rounds see it through the race below
      const rounds = 40;
      let overlaps = 0;
      for (let round = 0; round < rounds; round++) {
        await symlink(deadHolderRecord(), `${target}.lock`);
        // Barrier: every racer is idle and waiting for this message; all get it together.
        const replies = racers.map((racer) => new Promise((resolve) => racer.once("message", resolve)));
        for (const racer of racers) racer.send("go");
        for (const reply of await Promise.race([Promise.all(replies), died])) {
          assert.equal(typeof reply, "number", String(reply));
          overlaps += reply as number;
        }
        await assert.rejects(lstat(`${target}.lock`), { code: "ENOENT" }, "the last holder released the lock");
      }
      assert.equal(overlaps, 0, `${overlaps} times two processes held the lock at once in ${rounds} rounds`);
    } finally {
      await Promise.all(racers.map(kill));
    }
  }));
