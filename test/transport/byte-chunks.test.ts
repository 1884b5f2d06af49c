// A relayed body is read, checked and decoded in the chunks it came off the socket in,
// never joined: every answer must be the one the joined bytes would give, wherever the
// chunks were cut (inside a character too).
import assert from "node:assert/strict";
import { isUtf8 } from "node:buffer";
import { it } from "node:test";
import { ByteChunks, NO_BYTE } from "#src/transport/byte-chunks.js";

/** `bytes` cut at `cuts`, empty parts left out (as a reader never gets one). */
function cut(bytes: Buffer, ...cuts: number[]): ByteChunks {
  const parts = [0, ...cuts].map((from, i) => bytes.subarray(from, cuts[i] ?? bytes.length));
  return new ByteChunks(parts.filter((part) => part.length > 0));
}

/** Every way to cut `bytes` in two, and in three with a 1-byte and a 3-byte middle part. */
function* cuts(bytes: Buffer): Generator<[string, ByteChunks]> {
  for (let first = 1; first < bytes.length; first++) {
    yield [`cut at ${first}`, cut(bytes, first)];
    for (const width of [1, 3]) if (first + width < bytes.length) yield [`cut at ${first} and ${first + width}`, cut(bytes, first, first + width)];
  }
}

const text = '{"a": "h\u00e9 \u2713 \u{1f600}", "b": [1, "]"]}';

it("reads bytes, finds a byte and decodes a range as the joined bytes would", () => {
  const bytes = Buffer.from(text);
  for (const [where, chunks] of cuts(bytes)) {
    assert.equal(chunks.length, bytes.length, where);
    // Forwards, then backwards (a scan that looks behind a quote for backslashes).
    for (let i = -1; i <= bytes.length; i++) assert.equal(chunks.at(i), bytes[i] ?? NO_BYTE, `${where}: byte ${i}`);
    for (let i = bytes.length; i >= -1; i--) assert.equal(chunks.at(i), bytes[i] ?? NO_BYTE, `${where}: byte ${i}`);
    for (const from of [0, 5, 13, bytes.length - 1, bytes.length + 1]) {
      for (const byte of [0x22, 0x5d, 0x7d, 0x00]) assert.equal(chunks.indexOf(byte, from), bytes.indexOf(byte, from), `${where}: ${byte} from ${from}`);
    }
    assert.equal(chunks.toString(), text, where);
    const start = bytes.indexOf("h");
    const end = bytes.indexOf('"', start);
    assert.equal(chunks.toString(start, end), "h\u00e9 \u2713 \u{1f600}", where);
    assert.equal(chunks.toString(3, 3), "", where);
    assert.deepEqual(Buffer.concat(chunks.subarray(start, end).parts), bytes.subarray(start, end), where);
  }
});

it("shares the chunks it was given: a part wholly inside a range is not copied", () => {
  const first = Buffer.from('{"a":');
  const second = Buffer.from('"b"}');
  const chunks = new ByteChunks([first, second]);
  assert.equal(chunks.parts[1], second);
  assert.equal(chunks.subarray(2).parts[1], second);
  assert.equal(chunks.subarray(2).parts[0].buffer, first.buffer, "a view, not a copy");
  assert.deepEqual(new ByteChunks([]).toString(), "");
  assert.equal(new ByteChunks([]).at(0), NO_BYTE);
  assert.equal(new ByteChunks([]).indexOf(0x22, 0), -1);
});

it("checks UTF-8 as a whole, a character cut across chunks included", () => {
  const samples = [
    Buffer.from(text),
    // A lead byte with too few continuation bytes, at the end and before ASCII.
    Buffer.from([0x61, 0xe2, 0x9c]),
    Buffer.from([0x61, 0xe2, 0x9c, 0x61, 0x62]),
    // A stray continuation byte; an overlong 2-byte form; a surrogate; past U+10FFFF; 5 continuations.
    Buffer.from([0x61, 0x80, 0x62]),
    Buffer.from([0x61, 0xc0, 0xaf, 0x62]),
    Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x62]),
    Buffer.from([0x61, 0xf4, 0x90, 0x80, 0x80]),
    Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0x80, 0x61]),
    Buffer.from("\u{1f600}\u{1f600}"),
  ];
  for (const bytes of samples) {
    const expected = isUtf8(bytes);
    assert.equal(new ByteChunks([bytes]).isUtf8(), expected, bytes.toString("hex"));
    for (const [where, chunks] of cuts(bytes)) assert.equal(chunks.isUtf8(), expected, `${bytes.toString("hex")}, ${where}`);
  }
  assert.deepEqual(
    samples.map((bytes) => isUtf8(bytes)),
    [true, false, false, false, false, false, false, false, true],
  );
});
