// The response store on its own: scopes never see each other, the byte limit evicts least recently
// used first; on disk, entries past their retention are dropped (file included) at load, a
// conversation's files hold one turn each, and the files always read back as memory held them.
import assert from "node:assert/strict";
import { cp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { it } from "node:test";
import { isProviderError } from "#src/errors.js";
import { jsonBytes } from "#src/server/context-parts.js";
import { keyScope, ResponseStore, type HeldResponse } from "#src/server/response-store.js";
import { ByteChunks } from "#src/transport/byte-chunks.js";
import { DeferredJson } from "#src/transport/deferred-json.js";
import { withHome } from "../support/home.js";
import { eventually } from "../support/poll.js";
import { seeded } from "./fixtures/response-store-churn.js";

const entry = (id: string, text = "x") => ({ response: { id, object: "response", output: [{ type: "message", content: [{ type: "output_text", text }] }] }, input: [] });
const HOUR = 3_600_000;

type Json = Record<string, unknown>;

/** Turn `id` of a conversation: `added` after `previous`'s input and output, as conversation.ts builds it. */
function follow(store: ResponseStore, previous: HeldResponse | undefined, id: string, added: Json[], answer = `answer ${id}`): HeldResponse {
  const response = { id, object: "response", output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: answer }] }] };
  const input = previous ? [...previous.input, ...(previous.response.output as Json[]), ...added] : added;
  assert.ok(store.put("s", { response, input, continues: previous, addedBytes: jsonBytes(added) }));
  return store.get("s", id)!;
}

const said = (text: string): Json[] => [{ type: "message", role: "user", content: text }];

/** A scratch state directory, and its scope "s"'s response files' directory. */
const withStoreHome = (run: (home: string, dir: string) => Promise<void>) => withHome((home) => run(home, join(home, "responses", "s")));

/** What a store holds of `ids`, as JSON, for comparing a store with one loaded from its files. */
function heldText(store: ResponseStore, ids: string[]): Record<string, string | undefined> {
  return Object.fromEntries(ids.map((id) => {
    const held = store.get("s", id);
    return [id, held && JSON.stringify({ response: held.response, input: held.input })];
  }));
}

const DISK = { maxEntries: 100, maxBytes: 1 << 24, retentionHours: 1 };

/** A store on disk that has claimed and read back scope "s", as a server's does at start. */
async function opened(...args: ConstructorParameters<typeof ResponseStore>): Promise<ResponseStore> {
  const store = new ResponseStore(...args);
  await store.load("s");
  return store;
}

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

it("keeps an input still in the client's text unparsed until something reads it, counted by that text, and evicts it unread", () => {
  let parses = 0;
  class CountedJson extends DeferredJson {
    override value(): unknown {
      parses++;
      return super.value();
    }
  }
  const text = (input: string) => new CountedJson(new ByteChunks([Buffer.from(input)]), () => new Error("not JSON"));
  const store = new ResponseStore({ maxEntries: 2, maxBytes: 100_000, retentionHours: 0 }, undefined, undefined, () => 0);
  const items = said("A long history.");
  // Text that is not JSON is never read: kept, then evicted, without a parse.
  assert.ok(store.put("s", { ...entry("resp_unread"), input: text("[not JSON"), inputBytes: 9 }));
  assert.ok(store.put("s", { ...entry("resp_1"), input: text(JSON.stringify(items)), inputBytes: JSON.stringify(items).length }));
  assert.ok(store.put("s", entry("resp_2")));
  assert.equal(store.get("s", "resp_unread"), undefined);
  assert.equal(parses, 0);
  // Read, it is parsed once and stays the same items.
  const kept = store.get("s", "resp_1")!;
  assert.deepEqual(kept.input, items);
  assert.equal(kept.input, store.get("s", "resp_1")!.input);
  assert.equal(parses, 1);
  // A follow-up builds on it as on any kept turn.
  const next = follow(store, kept, "resp_3", said("Again."));
  assert.deepEqual(next.input, [...items, ...(kept.response.output as Json[]), ...said("Again.")]);
  assert.equal(parses, 1);
});

it("a long-running store drops expired entries and their files as new ones arrive", () =>
  withStoreHome(async (home, dir) => {
    let now = 0;
    const store = await opened({ maxEntries: 10, maxBytes: 1 << 20, retentionHours: 1 }, home, undefined, () => now);
    store.put("s", entry("resp_old"));
    now = HOUR + 1;
    store.put("s", entry("resp_new"));
    await store.flush();
    assert.equal(store.size, 1);
    assert.deepEqual(await readdir(dir), ["resp_new.json"]);
  }));

/** An entry whose response counts how often it is serialized. */
function counted(id: string, counter: { calls: number }) {
  const response = { id, object: "response", output: [], toJSON: () => (counter.calls++, { id, object: "response", output: [] }) };
  return { response, input: [], responseBytes: 40, inputBytes: 2 };
}

it("a burst of answers writes only the files still held, serializing nothing while it answers", () =>
  withStoreHome(async (home, dir) => {
    const store = await opened({ maxEntries: 10, maxBytes: 1 << 20, retentionHours: 1 }, home);
    const counter = { calls: 0 };
    // The first put's write starts at once; everything after waits, and most is evicted before its turn.
    store.put("s", counted("resp_0", counter));
    const started = counter.calls;
    for (let i = 1; i < 500; i++) store.put("s", counted(`resp_${i}`, counter));
    assert.equal(counter.calls, started, "put() serializes nothing when the sizes are known");
    await store.flush();
    const held = Array.from({ length: 10 }, (_, i) => `resp_${490 + i}.json`);
    assert.deepEqual((await readdir(dir)).sort(), held.sort());
    // The ten held, plus at most the one already being written when the burst came.
    assert.ok(counter.calls <= 11, `serialized ${counter.calls} times for 10 files`);
  }));

it("a conversation's turns are counted for what each adds, and stay counted while a later turn holds them", () =>
  withStoreHome(async (home) => {
    // 60 turns of ~1.2 KB: ~2.2 MB if each turn counted its whole context, ~100 KB shared.
    const limits = { ...DISK, maxBytes: 200_000 };
    const store = await opened(limits, home);
    const ids = Array.from({ length: 60 }, (_, i) => `resp_turn${i}`);
    let previous: HeldResponse | undefined;
    for (const [i, id] of ids.entries()) previous = follow(store, previous, id, said(`${i}: ${"a question. ".repeat(90)}`));
    assert.equal(store.size, 60, "every turn is kept");
    const total = store.totalBytes;
    assert.ok(total > 60 * 1200 && total < 150_000, String(total));
    await store.flush();

    // Read back, the files' turns are counted as shared again, so nothing is evicted.
    await store.close();
    const reader = await opened(limits, home);
    assert.equal(reader.size, 60);
    assert.ok(Math.abs(reader.totalBytes - total) < total * 0.02, `${reader.totalBytes} read back, ${total} before`);

    // Earlier turns let go of: only their own context arrays are freed, the last turn still holds their items.
    for (const id of ids.slice(0, 59)) store.delete("s", id);
    const tip = store.get("s", ids[59])!;
    assert.ok(store.totalBytes > total * 0.5, String(store.totalBytes));
    assert.equal(tip.input.length, 60 + 59);
    store.delete("s", ids[59]);
    assert.equal(store.totalBytes, 0);
    await store.flush();
  }));

it("a conversation on disk writes each turn's own items, not the whole conversation, and reads back whole", () =>
  withStoreHome(async (home, dir) => {
    const store = await opened(DISK, home);
    const ids = Array.from({ length: 40 }, (_, i) => `resp_turn${i}`);
    let previous: HeldResponse | undefined;
    for (const [i, id] of ids.entries()) {
      previous = follow(store, previous, id, said(`${i}: ${"please read this. ".repeat(60)}`));
      // Each file is written before the next turn, as when turns are seconds apart.
      await store.flush();
    }
    const sizes = await Promise.all(ids.map(async (id) => (await stat(join(dir, `${id}.json`))).size));
    // The last turn's context is ~40 times the first's; its file is not.
    assert.ok(Math.max(...sizes) < 2 * Math.min(...sizes), `file sizes ${Math.min(...sizes)}–${Math.max(...sizes)} bytes`);
    await store.close();
    const reader = await opened(DISK, home);
    assert.deepEqual(heldText(reader, ids), heldText(store, ids));
    assert.equal(reader.get("s", ids[39])!.input.length, 40 + 39);
  }));

it("a deleted, evicted or replaced turn stays gone, while the turns after it keep their whole context", () =>
  withStoreHome(async (home, dir) => {
    const store = await opened({ ...DISK, maxEntries: 4 }, home);
    const [t1, t2, t3, t4] = ["resp_1", "resp_2", "resp_3", "resp_4"];
    let previous: HeldResponse | undefined;
    for (const id of [t1, t2, t3, t4, "resp_5"]) previous = follow(store, previous, id, said(`turn ${id}`));
    await store.flush();
    assert.ok(store.delete("s", t3));
    // Replaced by an answer that continues nothing.
    follow(store, undefined, "resp_5", said("a new start"));
    // Evicted: resp_1 was used least recently.
    follow(store, undefined, "resp_other", said("another conversation"));
    assert.equal(store.get("s", t1), undefined);
    await store.flush();
    const names = await readdir(dir);
    assert.ok(!names.includes(`${t3}.json`) && names.some((name) => name.startsWith(`${t3}~`)), names.join(" "));

    await store.close();
    const reader = await opened({ ...DISK, maxEntries: 4 }, home);
    const ids = [t1, t2, t3, t4, "resp_5", "resp_other"];
    assert.deepEqual(heldText(reader, ids), heldText(store, ids));
    assert.equal(reader.get("s", t3), undefined);
    assert.equal(reader.get("s", t4)!.input.length, 4 + 3);

    // Once nothing builds on them, the kept-back files go too.
    for (const id of ids) reader.delete("s", id);
    await reader.flush();
    assert.deepEqual(await readdir(dir), []);
  }));

it("a store that loads several scopes lets go of each one's files once nothing needs them", () =>
  withStoreHome(async (home, dir) => {
    const store = await opened(DISK, home);
    let previous: HeldResponse | undefined;
    for (const id of ["resp_1", "resp_2", "resp_3"]) {
      previous = follow(store, previous, id, said(id));
      await store.flush();
    }
    // A second local key's directory with the same files.
    await cp(dir, join(home, "responses", "t"), { recursive: true });
    await store.close();
    const reader = await opened(DISK, home);
    await reader.load("t");
    for (const scope of ["s", "t"]) {
      assert.equal(reader.get(scope, "resp_3")?.input.length, 5);
      for (const id of ["resp_1", "resp_3", "resp_2"]) reader.delete(scope, id);
    }
    await reader.flush();
    assert.deepEqual([...(await readdir(dir)), ...(await readdir(join(home, "responses", "t")))], []);
  }));

it("a response that continues one with its own id keeps the version it continued", () =>
  withStoreHome(async (home) => {
    const store = await opened(DISK, home);
    const first = follow(store, undefined, "resp_same", said("hello"), "first answer");
    await store.flush();
    follow(store, first, "resp_same", said("and then?"), "second answer");
    await store.flush();
    await store.close();
    const reader = await opened(DISK, home);
    assert.deepEqual(heldText(reader, ["resp_same"]), heldText(store, ["resp_same"]));
    assert.equal(reader.get("s", "resp_same")!.input.length, 3);
  }));

it("an entry whose input does not extend the response it names is written whole", () =>
  withStoreHome(async (home) => {
    const store = await opened(DISK, home);
    const first = follow(store, undefined, "resp_first", said("hello"));
    await store.flush();
    // Claims to continue resp_first, but its input was built otherwise.
    assert.ok(store.put("s", { response: { id: "resp_odd", output: [] }, input: [...said("something else"), ...said("and more")], continues: first }));
    await store.flush();
    await store.close();
    const reader = await opened(DISK, home);
    assert.deepEqual(reader.get("s", "resp_odd")?.input, [...said("something else"), ...said("and more")]);
  }));

it("at load, expired and corrupt files go, and so do the turns built on a corrupt one, but not those built on an expired one", () =>
  withStoreHome(async (home, dir) => {
    let now = 0;
    const store = await opened(DISK, home, undefined, () => now);
    follow(store, undefined, "resp_old", said("nothing builds on this"));
    const a = follow(store, undefined, "resp_a", said("a"));
    await store.flush();
    const b = follow(store, a, "resp_b", said("b"));
    await store.flush();
    now = HOUR / 2;
    follow(store, b, "resp_c", said("c"));
    const x = follow(store, undefined, "resp_x", said("x"));
    await store.flush();
    follow(store, x, "resp_y", said("y"));
    await store.flush();
    // Files an earlier version wrote hold their whole input and no version.
    await writeFile(join(dir, "resp_legacy.json"), JSON.stringify({ response: { id: "resp_legacy", output: [] }, input: said("old"), createdAt: now }), { mode: 0o600 });
    await writeFile(join(dir, "resp_x.json"), "{not json", { mode: 0o600 });

    now = HOUR + 1;
    const errors: string[] = [];
    await store.close();
    const reader = await opened(DISK, home, (message) => errors.push(message), () => now);
    await reader.flush();
    // resp_old, resp_a and resp_b expired, but resp_c still continues the last two.
    assert.equal(reader.get("s", "resp_old"), undefined);
    assert.deepEqual(heldText(reader, ["resp_c"]), heldText(store, ["resp_c"]));
    assert.equal(reader.get("s", "resp_b"), undefined);
    assert.deepEqual(reader.get("s", "resp_legacy")?.input, said("old"));
    // resp_y builds on a file that cannot be read: neither is loaded, and both files go.
    assert.equal(reader.get("s", "resp_y"), undefined);
    assert.deepEqual((await readdir(dir)).sort(), ["resp_a.json", "resp_b.json", "resp_c.json", "resp_legacy.json"]);
    reader.delete("s", "resp_c");
    await reader.flush();
    assert.deepEqual(await readdir(dir), ["resp_legacy.json"]);
    assert.deepEqual(errors, []);
  }));

it("files follow puts, follow-ups, replacements and deletes made while earlier writes are still on their way", () =>
  withStoreHome(async (home, dir) => {
    const limits = { maxEntries: 6, maxBytes: 1 << 20, retentionHours: 1 };
    const store = await opened(limits, home);
    const random = seeded(7);
    const ids = Array.from({ length: 12 }, (_, i) => `resp_${i}`);
    let last: HeldResponse | undefined;
    for (let step = 0; step < 600; step++) {
      const id = ids[random(ids.length)];
      const op = random(25);
      if (op < 2) store.delete("s", id);
      // Mostly the latest turn is continued (under whatever id the answer gets), sometimes another kept one, sometimes none.
      else last = follow(store, op === 2 ? undefined : op < 20 ? last : store.get("s", ids[random(ids.length)]), id, said(`step ${step}`));
      // Sometimes the disk catches up; otherwise a write, rename or delete may be half done when the next change comes.
      if (random(3) === 0) await store.flush();
      else for (let turns = random(4); turns > 0; turns--) await new Promise((resolve) => setImmediate(resolve));
    }
    await store.flush();
    // The sequence leaves long conversations whose earlier turns are gone but still needed.
    assert.ok((await readdir(dir)).some((name) => name.includes("~")));
    assert.ok(ids.some((id) => (store.get("s", id)?.input.length ?? 0) >= 9));
    await store.close();
    const reader = await opened(limits, home);
    const held = heldText(store, ids);
    assert.deepEqual(heldText(reader, ids), held);
    for (const id of ids) reader.delete("s", id);
    await reader.flush();
    assert.deepEqual(await readdir(dir), []);
    // Nothing stays counted once nothing is held, in the store that made the changes or the one that read them back.
    assert.equal(reader.totalBytes, 0);
    for (const id of ids) store.delete("s", id);
    assert.equal(store.totalBytes, 0);
    await store.flush();
  }));

it("one store at a time claims a scope's directory: another is refused until the first closes", () =>
  withStoreHome(async (home) => {
    const first = await opened(DISK, home);
    await assert.rejects(opened(DISK, home), (error) => isProviderError(error, "config_error") && /Could not claim .*responses.s for this server's responses/.test(error.message));
    await first.close();
    const second = await opened(DISK, home);
    await second.close();
  }));

it("a store that lost its claim on a directory stops writing there, and says so", () =>
  withStoreHome(async (home, dir) => {
    const errors: string[] = [];
    const store = await opened(DISK, home, (message) => errors.push(message));
    follow(store, undefined, "resp_before", said("before"));
    await store.flush();
    // The lock file gone (as when another host takes a stalled holder's lock over).
    await rm(`${dir}.lock`);
    await eventually(async () => errors.length > 0, 10_000, "the lost claim reported");
    assert.match(errors[0], /lost the claim on .*responses.s; this server's responses are no longer written there/);
    follow(store, undefined, "resp_after", said("after"));
    await store.close();
    assert.deepEqual(await readdir(dir), ["resp_before.json"]);
  }));
