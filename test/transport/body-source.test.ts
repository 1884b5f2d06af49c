// A relayed body goes out as the client's own bytes only when the provider's policy left
// every member as it was; any change, however small, is sent as the changed body's JSON.
import assert from "node:assert/strict";
import { it } from "node:test";
import { bodyBytes, type BodySource } from "#src/transport/body-source.js";

/** A client's body as the server reads it: spaces and key order JSON.stringify would not keep. */
function source(): BodySource {
  const text = '{ "stream": true, "model": "gpt-5.5",\n "input": [{"role":"user","content":"h\\u00e9"}, {"role":"system","content":"x"}], "include": ["a"], "n": 1.50 }';
  return { value: JSON.parse(text) as Record<string, unknown>, bytes: Buffer.from(text) };
}

it("sends the client's bytes when the body has the same members", () => {
  const client = source();
  const { value } = client;
  const same = [
    value,
    // A copy with members set to what they were, a member set to undefined (absent in JSON), in another order.
    { ...value, stream: true, instructions: undefined },
    { n: value.n, include: value.include, input: value.input, model: "gpt-5.5", stream: true },
    // Arrays rebuilt with the same elements, as a policy that maps `input` or rebuilds `include` does.
    { ...value, input: [...(value.input as unknown[])], include: ["a"] },
  ];
  for (const body of same) assert.equal(bodyBytes(body, client), client.bytes);
});

it("sends the changed body's JSON when a member was added, removed or changed", () => {
  const client = source();
  const { value } = client;
  const { n: _n, ...withoutN } = value;
  const [first, second] = value.input as Record<string, unknown>[];
  const changed = [
    { ...value, store: false },
    withoutN,
    { ...value, model: "gpt-5.4" },
    { ...value, include: ["a", "b"] },
    { ...value, input: [first, { ...second, role: "developer" }] },
    { ...value, input: [first] },
    // The same content in a new object is not taken as the same: the check is by identity.
    { ...value, input: [first, { ...second }] },
  ];
  for (const body of changed) assert.equal(bodyBytes(body, client), JSON.stringify(body), JSON.stringify(body));
  assert.equal(bodyBytes(value, undefined), JSON.stringify(value), "no source: the body's JSON");
});
