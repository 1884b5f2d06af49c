// Fast subset of `npm run stress`'s load through `serve`.
import { test } from "node:test";
import { serveLoadScenario } from "./serve-load.js";

test("serve under load: every stream completes, memory stays flat (600 requests at 50 concurrency)", async () => {
  await serveLoadScenario({ requests: 600, concurrency: 50, warmup: 300 });
});
