// A follow-up's context is counted for the response store's byte limit from the sizes the
// store already holds, not by serializing the whole conversation again on every turn, and
// the turns of a conversation share the count of the items they share.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Provider } from "#src/providers/provider.js";
import { continuation, keep } from "#src/server/conversation.js";
import { jsonBytes } from "#src/server/context-parts.js";
import { ResponseStore } from "#src/server/response-store.js";

type Json = Record<string, unknown>;

const STATELESS = { id: "chatgpt" } as Provider;
const STATEFUL = { id: "openai" } as Provider;

/** An input item that counts how often it is serialized. */
function counted(text: string, counter: { calls: number }): Json {
  return { toJSON: () => (counter.calls++, { type: "message", role: "user", content: text }) };
}

it("a follow-up's context size is exact and serializes only what the turn adds", () => {
  for (const provider of [STATELESS, STATEFUL]) {
    const store = new ResponseStore({ maxEntries: 100, maxBytes: 1 << 20, retentionHours: 0 });
    const counter = { calls: 0 };
    let previous: string | undefined;
    // Turns with empty and non-empty inputs and outputs, non-ASCII text included.
    const turns: { input: Json[]; output: Json[] }[] = [
      { input: [counted("first question, ünïcödé ✓", counter)], output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "an answer" }] }] },
      { input: [], output: [{ type: "reasoning", encrypted_content: "gAAAA" }] },
      { input: [counted("second", counter), counted("third", counter)], output: [] },
      { input: [counted("last", counter)], output: [{ type: "message", content: "é" }] },
    ];
    turns.forEach(({ input, output }, turn) => {
      const body: Json = { model: "gpt-5.5", input, ...(previous ? { previous_response_id: previous } : {}) };
      counter.calls = 0;
      const continued = continuation(provider, store, "s", body, input);
      const id = `resp_${provider.id}_${turn}`;
      keep(store, "s", body, continued, { id, object: "response", output }, 100);
      assert.equal(counter.calls, input.length, `turn ${turn}: only the new input is serialized, once`);
      if (turn > 0) assert.equal(continued.contextBytes, jsonBytes(continued.context), `turn ${turn}: the counted size is the context's size as JSON`);
      previous = id;
    });
    // Four entries, each counted as its response's source size (with the `previous_response_id`
    // the client is shown, when it was expanded here), the input it added (the first turn: all
    // of it; the rest is the earlier turns', counted there), the field names, and a pointer
    // per item of its whole context.
    const context = (n: number) => turns.slice(0, n + 1).flatMap((turn, i) => (i < n ? [...turn.input, ...turn.output] : turn.input));
    const shownId = (n: number) => (provider === STATELESS && n > 0 ? Buffer.byteLength(`"previous_response_id":"resp_chatgpt_${n - 1}",`) : 0);
    const expected = turns.reduce((sum, turn, n) => sum + 100 + shownId(n) + jsonBytes(n === 0 ? context(0) : turn.input) + 64 + 8 * context(n).length, 0);
    assert.equal(store.totalBytes, expected, provider.id);
    // Let go of in any order, nothing stays counted.
    for (const n of [1, 3, 0, 2]) store.delete("s", `resp_${provider.id}_${n}`);
    assert.equal(store.totalBytes, 0, provider.id);
  }
});

it("a follow-up built here (no upstream source size) is counted as its exact JSON without serializing the conversation again", () => {
  const store = new ResponseStore({ maxEntries: 100, maxBytes: 1 << 20, retentionHours: 0 });
  const counter = { calls: 0 };
  let previous: string | undefined;
  for (let turn = 0; turn < 4; turn++) {
    const input = [counted(`question ${turn}, ünïcödé`, counter)];
    const body: Json = { model: "gpt-5.5", input, ...(previous ? { previous_response_id: previous } : {}) };
    counter.calls = 0;
    const continued = continuation(STATELESS, store, "s", body, input);
    const response = { id: `resp_built_${turn}`, object: "response", output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: `answer ${turn}` }] }] };
    keep(store, "s", body, continued, response);
    assert.equal(counter.calls, 1, `turn ${turn}: only the new input is serialized, once`);
    previous = response.id;
  }
  // The first turn counts as its entry's exact JSON (nothing to share with).
  store.delete("s", "resp_built_1");
  store.delete("s", "resp_built_2");
  store.delete("s", "resp_built_3");
  const first = store.get("s", "resp_built_0")!;
  assert.equal(store.totalBytes, jsonBytes({ response: first.response, input: first.input, createdAt: first.createdAt }) + 8 * first.input.length);
});
