// Fast subset of `npm run stress`'s canary run.
import { test } from "node:test";
import { canaryScenario } from "./canary.js";

test("canary secrets in every credential slot appear in no output, log or file outside the store", async () => {
  await canaryScenario({ quick: true });
});
