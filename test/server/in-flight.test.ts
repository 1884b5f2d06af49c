// The in-flight registry's hold on upstream calls. A finished request must not keep its
// call: the registry's Set leaves old hash tables in old space that still point at the
// requests, and the scavenger treats them as roots, so a held call would be promoted
// with everything it references (docs/PERFORMANCE.md, "Ninth pass").
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { setImmediate as tick } from "node:timers/promises";
import { InFlight } from "#src/server/in-flight.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** An upstream call standing in for a ResponseStream, with some weight; its aborts are counted in `aborts`, which does not keep it. */
function upstreamCall(aborts: string[], name: string): { abort(): void; payload: unknown[] } {
  return { abort: () => aborts.push(name), payload: Array.from({ length: 1000 }, (_, i) => ({ i })) };
}

test("a finished request lets go of its upstream call, even while the request object lives on", async () => {
  const inFlight = new InFlight();
  const request = inFlight.start();
  const aborts: string[] = [];
  const held = new WeakRef(request.upstream(upstreamCall(aborts, "call")));
  inFlight.finish(request);
  assert.equal(inFlight.size, 0);
  await tick(); // a WeakRef keeps its target until the end of the job that made it
  gc();
  assert.equal(held.deref(), undefined, "the finished request still references its call");
  request.cancel(); // the client's close after the answer
  assert.deepEqual(aborts, [], "a cancel after the answer must not reach the finished call");
});

test("cancelling a request in flight aborts its call once; a call opened after the cancel is aborted at once and not kept", async () => {
  const inFlight = new InFlight();
  const request = inFlight.start();
  const aborts: string[] = [];
  request.upstream(upstreamCall(aborts, "first"));
  request.cancel();
  request.cancel();
  assert.deepEqual(aborts, ["first"]);

  const late = new WeakRef(request.upstream(upstreamCall(aborts, "retry")));
  assert.deepEqual(aborts, ["first", "retry"], "a retry opened after the cancel must be aborted at once");
  await tick();
  gc();
  assert.equal(late.deref(), undefined, "the cancelled request keeps the call it aborted");
  inFlight.finish(request);
  assert.equal(inFlight.size, 0);
});
