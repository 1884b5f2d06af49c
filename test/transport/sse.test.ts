import { test } from "node:test";
import assert from "node:assert/strict";
import { loadParser, SseDecoder } from "#src/transport/sse.js";

async function collect(parts: (string | Buffer)[]) {
  await loadParser();
  const decoder = new SseDecoder();
  const out = [];
  for (const part of parts) out.push(...decoder.feed(typeof part === "string" ? Buffer.from(part) : part));
  out.push(...decoder.end());
  return out;
}

const STREAM = 'event: a\ndata: {"n":1}\n\nevent: b\ndata: {"n":2}\n\n';

test("LF, CRLF and CR framing yield the same events", async () => {
  const lf = await collect([STREAM]);
  const crlf = await collect([STREAM.replace(/\n/g, "\r\n")]);
  const cr = await collect([STREAM.replace(/\n/g, "\r")]);
  assert.deepEqual(lf.map((m) => [m.event, m.data]), [["a", '{"n":1}'], ["b", '{"n":2}']]);
  assert.deepEqual(crlf.map((m) => [m.event, m.data]), lf.map((m) => [m.event, m.data]));
  assert.deepEqual(cr.map((m) => [m.event, m.data]), lf.map((m) => [m.event, m.data]));
});

test("chunk boundaries anywhere, including inside CRLF and a multi-byte character", async () => {
  const text = 'data: {"t":"héllo 🌍"}\r\n\r\ndata: {"t":"two"}\r\n\r\n';
  const bytes = Buffer.from(text);
  const whole = await collect([bytes]);
  for (let cut = 1; cut < bytes.length; cut++) {
    const split = await collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(split.map((m) => m.data), whole.map((m) => m.data), `cut at ${cut}`);
  }
  // One byte at a time.
  const single = await collect([...bytes].map((b) => Buffer.of(b)));
  assert.deepEqual(single.map((m) => m.data), ['{"t":"héllo 🌍"}', '{"t":"two"}']);
});

test("one leading byte order mark is ignored, even split across chunks; a later one is data", async () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const body = Buffer.concat([bom, Buffer.from('data: {"n":1}\n\n')]);
  assert.deepEqual((await collect([body])).map((m) => m.data), ['{"n":1}']);
  assert.deepEqual((await collect([body.subarray(0, 2), body.subarray(2)])).map((m) => m.data), ['{"n":1}']);
  const second = await collect([Buffer.concat([body, Buffer.from("data: \ufeffx\n\n")])]);
  assert.deepEqual(second.map((m) => m.data), ['{"n":1}', "\ufeffx"]);
});

test("multi-line data is joined with newlines; comments and unknown fields are ignored", async () => {
  const out = await collect([": keep-alive\n", "data: line1\ndata: line2\nid: 7\nfoo: bar\n\n"]);
  assert.equal(out.length, 1);
  assert.equal(out[0].data, "line1\nline2");
});

test("a final event without its blank line is flushed at end of stream", async () => {
  const out = await collect(['data: {"type":"response.completed"}']);
  assert.deepEqual(out.map((m) => m.data), ['{"type":"response.completed"}']);
});

test("[DONE] comes through as data for the caller to interpret", async () => {
  const out = await collect(["data: [DONE]\n\n"]);
  assert.equal(out[0].data, "[DONE]");
});
