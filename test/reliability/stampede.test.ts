// Fast subset of `npm run stress`'s refresh stampede.
import { test } from "node:test";
import { stampedeScenario } from "./stampede.js";

test("refresh stampede across processes: one refresh per round, no reuse (3 processes × 5 calls × 2 rounds)", async () => {
  await stampedeScenario({ processes: 3, calls: 5, rounds: 2 });
});
