// The pass-through splitter: what a relay forwards must be the upstream's bytes, cut only
// at event boundaries, whatever the network chunking; the events it reads must decode as
// eventsource-parser would decode them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProviderError } from "#src/errors.js";
import { loadParser } from "#src/transport/sse.js";
import { SseSplitter, type SseBlock } from "#src/transport/sse-blocks.js";

const READS = new Set(["response.created", "response.completed"]);
const reads = (type: string) => READS.has(type);

/** The splitter fed `parts` as network chunks, then the body's end: its non-empty batches. */
async function batches(parts: (string | Uint8Array)[], maxEventSize?: number): Promise<SseBlock[][]> {
  await loadParser();
  const splitter = new SseSplitter(reads, maxEventSize);
  const out: SseBlock[][] = [];
  for (const part of [...parts.map((part) => splitter.feed(Buffer.from(part))), splitter.end()]) if (part.length > 0) out.push([...part]);
  if (splitter.failure) throw splitter.failure;
  return out;
}

const CREATED = 'event: response.created\ndata: {"type":"response.created","response":{"id":"r1"}}\n\n';
const DELTA = (n: number) => `event: response.output_text.delta\ndata: {"type":"response.output_text.delta",  "delta":"caf\\u00e9 ${n}"}\n\n`;
const COMPLETED = 'event: response.completed\ndata: {"type":"response.completed","response":{"id":"r1"}}\n\n';
const STREAM = CREATED + DELTA(1) + DELTA(2) + DELTA(3) + COMPLETED;

const text = (blocks: SseBlock[]) => blocks.map((block) => block.bytes.toString("utf8")).join("");

test("one chunk: passed events leave as one slice, read events one by one with their fields", async () => {
  const [batch, ...more] = await batches([STREAM]);
  assert.equal(more.length, 0);
  assert.deepEqual(
    batch.map((block) => [block.bytes.toString(), block.message && [block.message.event, block.message.data]]),
    [
      [CREATED, ["response.created", '{"type":"response.created","response":{"id":"r1"}}']],
      [DELTA(1) + DELTA(2) + DELTA(3), undefined],
      [COMPLETED, ["response.completed", '{"type":"response.completed","response":{"id":"r1"}}']],
    ],
  );
});

test("chunk boundaries anywhere, inside the blank line and a multi-byte character included: the same bytes, cut only between events", async () => {
  const stream = STREAM.replace("caf\\u00e9 2", "héllo 🌍");
  const bytes = Buffer.from(stream);
  for (let cut = 1; cut < bytes.length; cut++) {
    const out = (await batches([bytes.subarray(0, cut), bytes.subarray(cut)])).flat();
    assert.equal(text(out), stream, `cut at ${cut}`);
    for (const block of out) assert.ok(block.bytes.toString().endsWith("\n\n"), `cut at ${cut}: a block ends mid-event`);
    assert.deepEqual(
      out.filter((block) => block.message).map((block) => block.message!.event),
      ["response.created", "response.completed"],
    );
  }
  const single = (await batches([...bytes].map((b) => Uint8Array.of(b)))).flat();
  assert.equal(text(single), stream);
});

test("an event without an `event:` line, or with other fields first, is decoded; comments and stray blank lines are dropped", async () => {
  const odd = 'data: {"type":"response.output_text.delta"}\n\n: keep-alive\n\n\n\nid: 7\nevent: response.created\ndata: {"a":\ndata: 1}\n\n';
  const out = (await batches([odd])).flat();
  assert.deepEqual(
    out.map((block) => [block.bytes.toString(), block.message?.event, block.message?.data]),
    [
      ['data: {"type":"response.output_text.delta"}\n\n', undefined, '{"type":"response.output_text.delta"}'],
      ['id: 7\nevent: response.created\ndata: {"a":\ndata: 1}\n\n', "response.created", '{"a":\n1}'],
    ],
  );
});

test("a stream framed with CRLF or CR is parsed and re-framed with LF", async () => {
  for (const newline of ["\r\n", "\r"]) {
    const out = (await batches([STREAM.replace(/\n/g, newline)])).flat();
    assert.equal(text(out), STREAM, JSON.stringify(newline));
    assert.deepEqual(
      out.filter((block) => block.message).map((block) => block.message!.event),
      ["response.created", "response.completed"],
    );
  }
  // A CR that shows up mid-stream switches from that chunk on, the unfinished event included.
  const late = (await batches([CREATED + DELTA(1).slice(0, 20), DELTA(1).slice(20).replace(/\n/g, "\r\n") + COMPLETED])).flat();
  assert.equal(text(late), CREATED + DELTA(1) + COMPLETED);
});

test("a leading byte order mark is dropped; a last event without its blank line still arrives", async () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const out = (await batches([bom.subarray(0, 2), Buffer.concat([bom.subarray(2), Buffer.from(CREATED + COMPLETED.slice(0, -2))])])).flat();
  assert.equal(text(out), CREATED + COMPLETED);
  assert.equal(out.at(-1)!.message?.event, "response.completed");
});

test("an event larger than the bound fails with protocol_error once crossed, after the events before it", async () => {
  await loadParser();
  const bound = 64 * 1024;
  const piece = Buffer.from(`data: ${"x".repeat(1000)}`);
  for (const framing of ["\n", "\r\n"]) {
    const splitter = new SseSplitter(reads, bound);
    const seen = [...splitter.feed(Buffer.from(CREATED.replace(/\n/g, framing)))];
    // An endless event: fed until the splitter gives up, or far past the bound.
    let fed = 0;
    while (!splitter.failure && fed < 1000) {
      seen.push(...splitter.feed(piece));
      fed++;
    }
    const failure: unknown = splitter.failure;
    assert.ok(failure instanceof ProviderError && failure.code === "protocol_error", `${JSON.stringify(framing)}: ${String(failure)}`);
    assert.ok(fed * piece.length <= bound + 2 * piece.length, `${JSON.stringify(framing)}: failed only after ${fed} pieces`);
    assert.equal(text(seen), CREATED);
    // Nothing more is split once it has failed, not even at the end.
    assert.equal(splitter.feed(Buffer.from(COMPLETED)).length + splitter.end().length, 0);
  }
});
