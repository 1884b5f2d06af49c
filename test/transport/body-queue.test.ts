// The response-body queue on its own: backpressure bounds, order of chunks and
// failures, and waking the reader. http.ts drives it from a real socket (stream-e2e).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BodyQueue, type PausableSource } from "#src/transport/body-queue.js";

function source(): PausableSource & { pauses: number; resumes: number } {
  let paused = false;
  return {
    pauses: 0,
    resumes: 0,
    pause() {
      paused = true;
      this.pauses += 1;
    },
    resume() {
      paused = false;
      this.resumes += 1;
    },
    isPaused: () => paused,
  };
}

const chunk = (n: number) => Buffer.from(String(n));

test("the source pauses at the high-water mark and resumes once the reader drains below half", () => {
  const socket = source();
  const queue = new BodyQueue(socket, 4);
  for (let i = 0; i < 3; i++) queue.push(chunk(i));
  assert.equal(socket.pauses, 0);
  queue.push(chunk(3));
  assert.ok(socket.isPaused(), "paused at 4 buffered chunks");
  assert.deepEqual([queue.shift(), queue.shift()].map(String), ["0", "1"]);
  assert.ok(socket.isPaused(), "2 left is not below half of 4");
  assert.equal(String(queue.shift()), "2");
  assert.equal(socket.isPaused(), false, "resumed with 1 left");
  assert.equal(socket.resumes, 1);
});

test("chunks before a failure are read first; the first failure is the one thrown", () => {
  const queue = new BodyQueue(source(), 16);
  queue.push(chunk(1));
  const reset = new Error("reset");
  queue.fail(reset);
  queue.fail(new Error("the close that follows"));
  assert.equal(String(queue.shift()), "1");
  assert.equal(queue.shift(), undefined);
  assert.throws(() => queue.finished(), (error) => error === reset);
});

test("the end is reported after the last chunk, and not before", () => {
  const queue = new BodyQueue(source(), 16);
  assert.equal(queue.finished(), false);
  queue.push(chunk(1));
  queue.end();
  assert.equal(String(queue.shift()), "1");
  assert.equal(queue.finished(), true);
});

test("a waiting reader wakes on push, end and failure", async () => {
  const queue = new BodyQueue(source(), 16);
  let woken = queue.changed();
  queue.push(chunk(1));
  await woken;
  assert.equal(String(queue.shift()), "1");
  woken = queue.changed();
  queue.end();
  await woken;
  assert.equal(queue.finished(), true);
  const failing = new BodyQueue(source(), 16);
  woken = failing.changed();
  failing.fail(new Error("boom"));
  await woken;
  assert.throws(() => failing.finished(), /boom/);
});

test("the reader settles once: complete at the end, failed with the error it maps, stopped at return()", async () => {
  const outcomes: string[] = [];
  const complete = new BodyQueue(source(), 16);
  const reading = complete.reader((outcome) => void outcomes.push(outcome));
  complete.push(chunk(1));
  assert.equal(String((await reading.next()).value), "1");
  const waiting = reading.next();
  complete.end();
  assert.equal((await waiting).done, true);
  assert.equal((await reading.next()).done, true);
  assert.deepEqual(outcomes, ["complete"]);

  const failing = new BodyQueue(source(), 16);
  const mapped = new Error("mapped");
  const failed = failing.reader((outcome, error) => {
    outcomes.push(`${outcome}:${(error as Error).message}`);
    return mapped;
  });
  failing.push(chunk(2));
  failing.fail(new Error("reset"));
  assert.equal(String((await failed.next()).value), "2", "the chunk before the failure first");
  await assert.rejects(failed.next(), (error) => error === mapped);
  assert.equal((await failed.next()).done, true);

  const stopping = new BodyQueue(source(), 16);
  const stopped = stopping.reader((outcome) => void outcomes.push(outcome));
  stopping.push(chunk(3));
  await stopped.next();
  await stopped.return?.();
  await stopped.return?.();
  assert.equal((await stopped.next()).done, true);
  assert.deepEqual(outcomes, ["complete", "failed:reset", "stopped"]);
});
