// Fast subset of `npm run stress`'s SIGKILL scenario.
import { test } from "node:test";
import { sigkillScenario } from "./sigkill.js";

test("SIGKILLed store writers: no torn file, no lost update, the next command within 1 s (20 kills)", async () => {
  await sigkillScenario({ kills: 20, writers: 2 });
});
