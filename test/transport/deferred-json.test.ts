// A relayed body's member left as the client's text: parsed once, when something reads
// it, with the reader's error for text that is not JSON; serialized as its value.
import assert from "node:assert/strict";
import { it } from "node:test";
import { bodyBytes } from "#src/transport/body-source.js";
import { ByteChunks } from "#src/transport/byte-chunks.js";
import { DeferredJson, settled } from "#src/transport/deferred-json.js";

class Invalid extends Error {
  readonly code = "invalid_json";
}

/** A member's text in two chunks, as a socket may deliver it: cut inside its first multi-byte character, else in the middle. */
function deferred(text: string): DeferredJson {
  const bytes = Buffer.from(text);
  const wide = bytes.findIndex((byte) => byte >= 0x80);
  const cut = wide >= 0 ? wide + 1 : bytes.length >> 1;
  return new DeferredJson(new ByteChunks([bytes.subarray(0, cut), bytes.subarray(cut)]), () => new Invalid("not JSON"));
}

it("parses its text once, when first read, and serializes as its value", () => {
  const member = deferred('[ {"role": "user", "content": "h\\u00e9 ✓"} ]');
  assert.equal(member.parsedValue(), undefined, "nothing parsed before a read");
  const value = member.value();
  assert.deepEqual(value, [{ role: "user", content: "hé ✓" }]);
  assert.equal(member.value(), value, "the same value each time");
  assert.equal(settled(member), value);
  assert.equal(member.parsedValue(), value);
  assert.equal(JSON.stringify({ input: deferred("[1, 2]"), n: 1 }), '{"input":[1,2],"n":1}');
  // Anything else is returned as it is.
  const array = [1];
  assert.equal(settled(array), array);
  assert.equal(settled("text"), "text");
});

it("throws the reader's error, each time it is read, for text that is not JSON", () => {
  for (const text of ["[tru]", '["a\nb"]', "[1,]", "[1] 2"]) {
    const member = deferred(text);
    assert.throws(() => member.value(), Invalid, text);
    assert.throws(() => JSON.stringify({ input: member }), Invalid, text);
    assert.equal(member.parsedValue(), undefined);
  }
});

it("goes out as the client's bytes while unchanged, and in the body's JSON when another member changed", () => {
  const text = '{"model": "m",  "input": [ {"role": "system", "content": "x"} ], "store": false}';
  const input = deferred('[ {"role": "system", "content": "x"} ]');
  const source = { value: { model: "m", input, store: false }, bytes: new ByteChunks([Buffer.from(text)]) };
  assert.equal(bodyBytes({ ...source.value }, source), source.bytes.parts);
  // A policy that maps the parsed input to the same elements keeps the client's bytes.
  assert.equal(bodyBytes({ ...source.value, input: [...(input.value() as unknown[])] }, source), source.bytes.parts);
  const changed = bodyBytes({ ...source.value, model: "other" }, source);
  assert.equal(changed, '{"model":"other","input":[{"role":"system","content":"x"}],"store":false}');
  // A changed element is a changed member.
  assert.equal(typeof bodyBytes({ ...source.value, input: [{ role: "developer", content: "x" }] }, source), "string");
});
