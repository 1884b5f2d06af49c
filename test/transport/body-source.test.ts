// A relayed body goes out as the client's own bytes when the provider's policy left every
// member as it was, with the members the policy added written at the end; a member changed
// or removed, however small, sends the changed body's JSON.
import assert from "node:assert/strict";
import { it } from "node:test";
import { bodyBytes, type BodySource } from "#src/transport/body-source.js";
import { ByteChunks } from "#src/transport/byte-chunks.js";

/**
 * A client's body as the server reads it: spaces and key order JSON.stringify would not
 * keep, in the chunks it came in (cut before its last 2 bytes by default: inside the
 * trailing spaces).
 */
function source(text = '{ "stream": true, "model": "gpt-5.5",\n "input": [{"role":"user","content":"h\\u00e9"}, {"role":"system","content":"x"}], "include": ["a"], "n": 1.50 }\r\n', cuts = [20, text.length - 2]): BodySource {
  const bytes = Buffer.from(text);
  const parts = [0, ...cuts].map((cut, i) => bytes.subarray(cut, cuts[i] ?? bytes.length));
  return { value: JSON.parse(text) as Record<string, unknown>, bytes: new ByteChunks(parts) };
}

/** What bodyBytes sends, as text. */
const sentText = (sent: string | readonly Uint8Array[]) => (typeof sent === "string" ? sent : Buffer.concat(sent).toString());

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
  for (const body of same) assert.equal(bodyBytes(body, client), client.bytes.parts, "the client's own chunks");
});

it("writes the members the policy added before the client's closing brace", () => {
  const client = source();
  const { value } = client;
  const text = client.bytes.toString();
  const sent = sentText(bodyBytes({ ...value, input: [...(value.input as unknown[])], store: false, instructions: 'say "hi"\n', skipped: undefined }, client));
  assert.equal(sent, `${text.slice(0, text.lastIndexOf("}"))},"store":false,"instructions":"say \\"hi\\"\\n"}`);
  assert.deepEqual(JSON.parse(sent), { ...value, store: false, instructions: 'say "hi"\n' });
  // The closing brace found wherever the chunks were cut around it.
  for (let cut = 1; cut < text.length; cut++) {
    const chunked = source(text, [cut]);
    assert.equal(sentText(bodyBytes({ ...chunked.value, store: false }, chunked)), `${text.slice(0, text.lastIndexOf("}"))},"store":false}`, `cut at ${cut}`);
  }
  // An empty object gets no leading comma.
  const empty = source("{ }", [1]);
  assert.equal(sentText(bodyBytes({ stream: true, model: "m" }, empty)), '{ "stream":true,"model":"m"}');
});

it("sends the changed body's JSON when a member was removed or changed", () => {
  const client = source();
  const { value } = client;
  const { n: _n, ...withoutN } = value;
  const [first, second] = value.input as Record<string, unknown>[];
  const changed = [
    withoutN,
    // Removed and added at once.
    { ...withoutN, store: false },
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
