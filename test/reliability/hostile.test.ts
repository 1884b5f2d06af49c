// `npm run stress`'s hostile inputs, which are fast enough to run in full.
import { test } from "node:test";
import { hostileScenario } from "./hostile.js";

test("hostile input to serve: each malformed or oversized request gets a 4xx, and serve keeps serving", async () => {
  await hostileScenario();
});
