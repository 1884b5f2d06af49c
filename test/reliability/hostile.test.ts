// `npm run stress`'s hostile inputs, which are fast enough to run in full.
import { test } from "node:test";
import { assertRejected, hostileScenario } from "./hostile.js";

test("hostile input to serve: malformed, oversized and truncated requests get a 4xx, and serve keeps serving", async () => {
  assertRejected(await hostileScenario());
});
