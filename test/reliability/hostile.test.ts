// `npm run stress`'s hostile inputs, which are fast enough to run in full.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertRejected, hostileScenario } from "./hostile.js";

test("hostile input to serve: malformed, oversized and truncated requests get a 4xx with OpenAI's error body, and serve keeps serving", async () => {
  const figures = await hostileScenario();
  assertRejected(figures);
  // The two node:http refuses before any handler runs (its bare status line before).
  assert.equal(figures.statuses["garbage request line"], 400);
  assert.equal(figures.errorCodes["garbage request line"], "malformed_request");
  assert.equal(figures.statuses["80 KB header"], 431);
  assert.equal(figures.errorCodes["80 KB header"], "request_headers_too_large");
  assert.equal(figures.stackTracesInLog, 0);
  assert.equal(figures.controlCharactersInLog, 0);
});
