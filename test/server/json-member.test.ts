// The response store counts a client's input by the text it came in: the size of one
// top-level member's value, found in the text without parsing it.
import assert from "node:assert/strict";
import { it } from "node:test";
import { memberBytes, memberSpan } from "#src/server/json-member.js";
import { ByteChunks } from "#src/transport/byte-chunks.js";

const bytes = (text: string) => new ByteChunks([Buffer.from(text)]);

it("is the size of a compact body's member as JSON.stringify writes it", () => {
  const body = {
    model: "gpt-5.5",
    instructions: 'Quote "this", a backslash \\ and }{][ inside strings.',
    input: [
      { type: "message", role: "user", content: [{ type: "input_text", text: "h\u00e9 \u2713 \\\" [nested] {x}" }] },
      { type: "function_call_output", call_id: "c", output: JSON.stringify({ output: 'a "quoted" line\n', ok: true }) },
    ],
    tools: [{ type: "function", name: "shell", parameters: { type: "object" } }],
    stream: true,
    temperature: -1.5e-3,
    store: null,
  };
  const text = bytes(JSON.stringify(body));
  for (const [name, value] of Object.entries(body)) assert.equal(memberBytes(text, name), Buffer.byteLength(JSON.stringify(value)), name);
});

it("counts the client's own spacing, and the last of a repeated member, as JSON.parse reads it", () => {
  const text = '{ "model" : "m" ,\r\n\t"input" :\n [ {"role": "user"} , "\\\\" ] , "in\\u0070ut": [1, 2] }  \n';
  assert.equal(memberBytes(bytes(text), "model"), 3);
  assert.equal(memberBytes(bytes(text), "input"), "[1, 2]".length);
  assert.equal(memberBytes(bytes('{"input":[{"a":"\\\\"}, "x"], "n": 1}'), "input"), '[{"a":"\\\\"}, "x"]'.length);
  assert.equal(memberBytes(bytes('{"a":{"input":[1]},"b":"\\"input\\":[1,2,3]"}'), "input"), undefined, "only top-level members count");
});

it("is undefined for an absent member or text that is not a JSON object", () => {
  for (const text of ["{}", " { } ", '{"model":"m"}', "[1]", '"input"', "", '{"input":[1,2', '{"input":"open', '{"input" [1]}', '{"input":}']) {
    assert.equal(memberBytes(bytes(text), "input"), undefined, text);
  }
});

it("gives where the member's value lies, and whether its name came more than once", () => {
  const text = bytes('{"model":"m", "input" : [ {"a": "]"} ] ,"n":1}');
  const span = memberSpan(text, "input")!;
  assert.equal(text.toString(span.start, span.end), '[ {"a": "]"} ]');
  assert.equal(span.repeated, false);
  const twice = bytes('{"input":[1],"input":[2, 3]}');
  const last = memberSpan(twice, "input")!;
  assert.equal(twice.toString(last.start, last.end), "[2, 3]");
  assert.equal(last.repeated, true);
  // Text after the object's end is not an object.
  assert.equal(memberSpan(bytes('{"input":[1]} ]'), "input"), undefined);
  assert.equal(memberSpan(bytes('{"input":[1]} \r\n'), "input")?.end, 12, "spaces after it are");
});

it("finds the same span wherever the text was cut into chunks", () => {
  // Backslashes before quotes, brackets and a quote inside strings, characters of 2 and 3 bytes, an escaped name.
  const input = [{ a: "\\\\" }, '\\"]', "\u00e9\u2713"];
  const text = Buffer.from(`{"model":"m","in\\u0070ut":"x","input" : ${JSON.stringify(input)} , "n":{"input":[1]}}`);
  const start = text.indexOf("[{");
  const whole = memberSpan(new ByteChunks([text]), "input");
  assert.deepEqual(whole, { start, end: start + Buffer.byteLength(JSON.stringify(input)), repeated: true });
  for (let first = 1; first < text.length; first++) {
    for (const second of [first + 1, first + 7]) {
      const parts = [text.subarray(0, first), text.subarray(first, second), text.subarray(second)].filter((part) => part.length > 0);
      assert.deepEqual(memberSpan(new ByteChunks(parts), "input"), whole, `cut at ${first} and ${second}`);
    }
  }
});
