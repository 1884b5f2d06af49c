// Many simultaneous streams through one server: 200 Responses streams over loopback,
// each answered in full and in order, with nothing left in flight afterwards.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startStack, type Stack } from "./helpers.js";
import { jsonEvents } from "../support/sse.js";

const STREAMS = 200;

describe("concurrency", () => {
  let stack: Stack;
  before(async () => (stack = await startStack({ emulator: { deltaDelayMs: 2 } })));
  after(() => stack.close());

  it(`completes ${STREAMS} concurrent streams`, async (t) => {
    const started = Date.now();
    const texts = await Promise.all(
      Array.from({ length: STREAMS }, async (_, index) => {
        const res = await fetch(`${stack.server.baseUrl}/responses`, {
          method: "POST",
          headers: { authorization: `Bearer ${stack.server.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "gpt-5.5", input: `question number ${index}`, stream: true }),
        });
        assert.equal(res.status, 200);
        const events = jsonEvents(await res.text());
        assert.equal(events.at(-1)!.type, "response.completed");
        return events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
      }),
    );
    texts.forEach((text, index) => assert.equal(text, `Hello from the emulator. You asked: "question number ${index}"`));
    assert.equal(stack.server.inFlight(), 0);
    const upstream = stack.emulator.requests.filter((r) => r.method === "POST");
    assert.equal(upstream.length, STREAMS);
    assert.ok(upstream.every((r) => r.completed));
    t.diagnostic(`${STREAMS} streams in ${Date.now() - started} ms`);
  });
});
