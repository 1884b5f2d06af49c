// Stream lifecycle: a client that disconnects cancels the upstream request; a stream
// the upstream cuts short ends with an `error` event (never a silent success, never
// replayed events); close() drains in-flight streams, then aborts what is left.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withStack, type Stack } from "./helpers.js";
import { jsonEvents } from "../support/sse.js";
import { eventually } from "../support/poll.js";

function post(stack: Stack, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${stack.server.baseUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.server.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

const responsesStream = { model: "gpt-5.5", input: "tell me a long story about streams", stream: true };
const chatStream = { model: "gpt-5.5", messages: [{ role: "user", content: "tell me a long story about streams" }], stream: true };
const upstreamCall = (stack: Stack) => stack.emulator.requests.find((r) => r.method === "POST")!;

describe("client disconnects", () => {
  for (const [path, body] of [["/responses", responsesStream], ["/chat/completions", chatStream]] as const) {
    it(`aborts the upstream request when a ${path} client goes away`, () =>
      withStack({}, async (stack) => {
        stack.emulator.setFault({ name: "slow", delayMs: 40 });
        const controller = new AbortController();
        const res = await post(stack, path, body, controller.signal);
        assert.equal(res.status, 200);
        await res.body!.getReader().read();
        controller.abort();
        await eventually(() => upstreamCall(stack).clientAborted);
        assert.equal(upstreamCall(stack).completed, false);
        await eventually(() => stack.logs.some((entry) => entry.clientAborted === true));
        await eventually(() => stack.server.inFlight() === 0);
      }));
  }
});

describe("upstream failures inside a stream", () => {
  it("ends with an error event, without replaying events, when the upstream stream breaks", () =>
    withStack({}, async (stack) => {
      for (const after of [0, 2]) {
        stack.emulator.setFault({ name: "truncate", after });
        const events = jsonEvents(await (await post(stack, "/responses", responsesStream)).text());
        assert.equal(events.filter((e) => e.type === "response.created").length, 1, `after=${after}`);
        const last = events.at(-1)!;
        assert.equal(last.type, "error");
        assert.equal(last.code, "stream_truncated");
        assert.equal(last.sequence_number, events.at(-2)!.sequence_number + 1);
        assert.ok(!events.some((e) => e.type === "response.completed"));
      }
    }));

  it("passes an upstream response.failed through and adds nothing after it", () =>
    withStack({}, async (stack) => {
      stack.emulator.setFault({ name: "failed", code: "server_error" });
      const events = jsonEvents(await (await post(stack, "/responses", responsesStream)).text());
      assert.equal(events.at(-1)!.type, "response.failed");
      assert.equal(events.filter((e) => e.type === "error").length, 0);
    }));

  it("sends a Chat error chunk the SDK turns into an APIError, and no [DONE]", () =>
    withStack({}, async (stack) => {
      stack.emulator.setFault({ name: "truncate", after: 2 });
      const text = await (await post(stack, "/chat/completions", chatStream)).text();
      assert.ok(!text.includes("[DONE]"));
      assert.equal(jsonEvents(text).at(-1)!.error.code, "stream_truncated");
    }));

  it("answers a non-streaming request whose upstream broke with a 502", () =>
    withStack({}, async (stack) => {
      stack.emulator.setFault({ name: "truncate", after: 2 });
      const res = await post(stack, "/responses", { ...responsesStream, stream: false });
      assert.equal(res.status, 502);
      assert.equal(((await res.json()) as any).error.code, "stream_truncated");
    }));
});

describe("graceful close", () => {
  it("lets an in-flight stream finish and refuses new connections", () =>
    withStack({}, async (stack) => {
      stack.emulator.setFault({ name: "slow", delayMs: 20 });
      const res = await post(stack, "/responses", responsesStream);
      const closed = stack.server.close({ drainTimeoutMs: 10_000 });
      await assert.rejects(post(stack, "/responses", responsesStream), "the listener is closed");
      assert.equal(jsonEvents(await res.text()).at(-1)!.type, "response.completed");
      await closed;
    }));

  it("aborts streams still running after the grace period, upstream included", () =>
    withStack({}, async (stack) => {
      stack.emulator.setFault({ name: "slow", delayMs: 200 });
      const res = await post(stack, "/responses", responsesStream);
      const started = Date.now();
      const reading = res.text();
      await stack.server.close({ drainTimeoutMs: 100 });
      assert.ok(Date.now() - started < 2000);
      const last = jsonEvents(await reading).at(-1)!;
      assert.equal(last.type, "error");
      assert.equal(last.code, "server_shutting_down");
      await eventually(() => upstreamCall(stack).clientAborted);
    }));
});
