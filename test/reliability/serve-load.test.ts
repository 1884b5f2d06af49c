// Fast subset of `npm run stress`'s load through `serve`.
import { test } from "node:test";
import { serveLoadScenario } from "./serve-load.js";

// The memory bound needs thousands of requests of warm-up; `npm run stress` checks it.
test("serve under load: every stream completes (600 requests at 50 concurrency)", async () => {
  await serveLoadScenario({ requests: 600, concurrency: 50, warmup: 100, checkMemory: false });
});
