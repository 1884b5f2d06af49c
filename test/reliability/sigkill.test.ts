// Fast subset of `npm run stress`'s SIGKILL scenario.
import { test } from "node:test";
import { sigkillScenario } from "./sigkill.js";

// The same 1 s goal as the full run: it bounds only the time the dead writer stands
// in the way, not the queueing behind the live writer.
test("SIGKILLed store writers: no torn file, no lost update, a dead holder's lock broken within 1 s (20 kills)", async () => {
  await sigkillScenario({ kills: 20, writers: 2 });
});
