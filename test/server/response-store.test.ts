// The response store on its own: scopes never see each other, the byte limit evicts least recently
// used first, and persisted entries past their retention are dropped (file included) at load.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { keyScope, ResponseStore } from "#src/server/response-store.js";

const entry = (id: string, text = "x") => ({ response: { id, object: "response", output: [{ type: "message", content: [{ type: "output_text", text }] }] }, input: [] });
const HOUR = 3_600_000;

it("keeps each local key's responses apart", () => {
  const store = new ResponseStore({ maxEntries: 10, maxBytes: 1 << 20, retentionHours: 0 });
  const one = keyScope("key-one");
  const two = keyScope("key-two");
  assert.notEqual(one, two);
  assert.doesNotMatch(one, /key-one/);
  assert.ok(store.put(one, entry("resp_a")));
  assert.equal(store.get(two, "resp_a"), undefined);
  assert.equal(store.delete(two, "resp_a"), false);
  assert.equal(store.get(one, "resp_a")?.response.id, "resp_a");
});

it("evicts least recently used entries at the byte limit, and refuses one larger than the limit", () => {
  const size = Buffer.byteLength(JSON.stringify({ ...entry("resp_1"), createdAt: 0 }));
  const store = new ResponseStore({ maxEntries: 100, maxBytes: size * 2, retentionHours: 0 }, undefined, undefined, () => 0);
  store.put("s", entry("resp_1"));
  store.put("s", entry("resp_2"));
  store.get("s", "resp_1");
  store.put("s", entry("resp_3"));
  assert.deepEqual(["resp_1", "resp_2", "resp_3"].map((id) => store.get("s", id) !== undefined), [true, false, true]);
  assert.equal(store.totalBytes, size * 2);
  assert.equal(store.put("s", entry("resp_big", "y".repeat(size * 2))), false);
  assert.equal(store.size, 2);
  assert.equal(store.put("s", entry("../escape")), false, "ids that are not file-name safe are never kept");
});

it("counts a response by the source size its caller knows, without serializing it, and the limit applies to that count", () => {
  const store = new ResponseStore({ maxEntries: 100, maxBytes: 1000, retentionHours: 0 }, undefined, undefined, () => 0);
  // Its JSON is ~100 bytes, but it was parsed from 2000: that is what it holds.
  assert.equal(store.put("s", { ...entry("resp_large_source"), responseBytes: 2000 }), false);
  assert.equal(store.size, 0);
  // The input is counted as well.
  assert.equal(store.put("s", { ...entry("resp_large_input"), input: [{ type: "message", content: "z".repeat(1000) }], responseBytes: 10 }), false);
  for (const id of ["resp_1", "resp_2", "resp_3"]) assert.ok(store.put("s", { ...entry(id), responseBytes: 300 }));
  // 300 bytes each, plus their input and field names: the third put evicts the first.
  assert.deepEqual(["resp_1", "resp_2", "resp_3"].map((id) => store.get("s", id) !== undefined), [false, true, true]);
  assert.ok(store.totalBytes > 600 && store.totalBytes <= 1000, String(store.totalBytes));
});

it("drops persisted entries past their retention when loading, and ignores corrupt files", async () => {
  const home = await mkdtemp(join(tmpdir(), "codex-provider-responses-"));
  try {
    let now = 0;
    const limits = { maxEntries: 10, maxBytes: 1 << 20, retentionHours: 1 };
    const writer = new ResponseStore(limits, home, undefined, () => now);
    writer.put("s", entry("resp_old"));
    now = HOUR / 2;
    writer.put("s", entry("resp_new"));
    await writer.flush();
    const dir = join(home, "responses", "s");
    await writeFile(join(dir, "resp_bad.json"), "{not json", { mode: 0o600 });

    now = HOUR + 1;
    const errors: string[] = [];
    const reader = new ResponseStore(limits, home, (message) => errors.push(message), () => now);
    await reader.load("s");
    await reader.flush();
    assert.equal(reader.get("s", "resp_old"), undefined);
    assert.equal(reader.get("s", "resp_new")?.response.id, "resp_new");
    assert.deepEqual((await readdir(dir)).sort(), ["resp_new.json"]);
    assert.deepEqual(errors, []);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

it("a long-running store drops expired entries and their files as new ones arrive", async () => {
  const home = await mkdtemp(join(tmpdir(), "codex-provider-responses-"));
  try {
    let now = 0;
    const store = new ResponseStore({ maxEntries: 10, maxBytes: 1 << 20, retentionHours: 1 }, home, undefined, () => now);
    store.put("s", entry("resp_old"));
    now = HOUR + 1;
    store.put("s", entry("resp_new"));
    await store.flush();
    assert.equal(store.size, 1);
    assert.deepEqual(await readdir(join(home, "responses", "s")), ["resp_new.json"]);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

/** An entry whose response counts how often it is serialized. */
function counted(id: string, counter: { calls: number }) {
  const response = { id, object: "response", output: [], toJSON: () => (counter.calls++, { id, object: "response", output: [] }) };
  return { response, input: [], responseBytes: 40, inputBytes: 2 };
}

it("a burst of answers writes only the files still held, serializing nothing while it answers", async () => {
  const home = await mkdtemp(join(tmpdir(), "codex-provider-responses-"));
  try {
    const store = new ResponseStore({ maxEntries: 10, maxBytes: 1 << 20, retentionHours: 1 }, home);
    const counter = { calls: 0 };
    // The first put's write starts at once; everything after waits, and most is evicted before its turn.
    store.put("s", counted("resp_0", counter));
    const started = counter.calls;
    for (let i = 1; i < 500; i++) store.put("s", counted(`resp_${i}`, counter));
    assert.equal(counter.calls, started, "put() serializes nothing when the sizes are known");
    await store.flush();
    const held = Array.from({ length: 10 }, (_, i) => `resp_${490 + i}.json`);
    assert.deepEqual((await readdir(join(home, "responses", "s"))).sort(), held.sort());
    // The ten held, plus at most the one already being written when the burst came.
    assert.ok(counter.calls <= 11, `serialized ${counter.calls} times for 10 files`);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

it("files follow puts, replacements and deletes made while earlier writes are still on their way", async () => {
  const home = await mkdtemp(join(tmpdir(), "codex-provider-responses-"));
  try {
    const limits = { maxEntries: 6, maxBytes: 1 << 20, retentionHours: 1 };
    const store = new ResponseStore(limits, home);
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const expected = new Map<string, string>();
    for (let step = 0; step < 400; step++) {
      const id = `resp_${random(10)}`;
      if (random(3) === 0) store.delete("s", id);
      else store.put("s", entry(id, `step ${step}`));
      // Sometimes let the disk move on (a write or delete may be half done), sometimes not.
      for (let turns = random(4); turns > 0; turns--) await new Promise((resolve) => setImmediate(resolve));
    }
    await store.flush();
    for (let i = 0; i < 10; i++) {
      const held = store.get("s", `resp_${i}`);
      if (held) expected.set(`resp_${i}`, JSON.stringify(held.response));
    }
    assert.ok(expected.size > 0);
    const reader = new ResponseStore(limits, home);
    await reader.load("s");
    assert.deepEqual((await readdir(join(home, "responses", "s"))).sort(), [...expected.keys()].map((id) => `${id}.json`).sort());
    for (const [id, response] of expected) assert.equal(JSON.stringify(reader.get("s", id)?.response), response, id);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
