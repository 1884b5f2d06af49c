// Conversation state on stateless upstreams: the local server keeps the responses it produced and
// expands `previous_response_id` into the full input, and answers `GET/DELETE /v1/responses/{id}` and
// `/input_items` from its store — through the real openai SDK against the emulator.
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { createServer } from "#src/server/index.js";
import { keyScope } from "#src/server/response-store.js";
import { signIn as siwcSignIn } from "../support/siwc.js";
import { startStack, withStack, type Stack } from "./helpers.js";

type Item = Record<string, unknown>;

function client(baseURL: string, apiKey: string): OpenAI {
  return new OpenAI({ baseURL, apiKey, maxRetries: 0 });
}

const upstreamBodies = (stack: Stack) => stack.emulator.requests.filter((r) => r.path === "/v1/responses").map((r) => r.body as Record<string, unknown>);

/** The user texts in an upstream input, in order. */
function userTexts(input: Item[]): string[] {
  return input
    .filter((item) => item.role === "user")
    .map((item) => (typeof item.content === "string" ? item.content : (item.content as Item[]).map((part) => part.text).join("")));
}

const chatgpt = { server: { provider: "chatgpt" }, setup: (emu: Stack["emulator"], home: string) => siwcSignIn(emu, home) };

describe("previous_response_id on a stateless upstream (provider chatgpt)", () => {
  let stack: Stack;
  let openai: OpenAI;
  before(async () => {
    stack = await startStack(chatgpt);
    openai = client(stack.server.baseUrl, stack.server.apiKey);
  });
  after(() => stack.close());

  it("carries three turns, the third turn's upstream input holding turns 1 and 2", async () => {
    const reasoning = { effort: "low" as const, summary: "auto" as const };
    const first = await openai.responses.create({ model: "gpt-5.5", input: "My name is Ada.", reasoning });
    assert.equal(first.output_text, 'Hello from the emulator. You asked: "My name is Ada."');

    // Turn 2 streams: the stored response is assembled from response.completed.
    const stream = await openai.responses.create({ model: "gpt-5.5", input: "What is my name?", previous_response_id: first.id, reasoning, stream: true });
    let second: OpenAI.Responses.Response | undefined;
    const shown: [string, string | null | undefined][] = [];
    for await (const event of stream) {
      if ("response" in event) shown.push([event.type, event.response.previous_response_id]);
      if (event.type === "response.completed") second = event.response;
    }
    assert.ok(second);
    assert.equal(second.previous_response_id, first.id, "the client sees the id it sent");
    // Every event carrying the response shows it, the opening ones too (they are rewritten, not relayed as bytes).
    assert.deepEqual(shown, [
      ["response.created", first.id],
      ["response.in_progress", first.id],
      ["response.completed", first.id],
    ]);

    const third = await openai.responses.create({ model: "gpt-5.5", input: "Thanks.", previous_response_id: second.id, reasoning });
    assert.equal(third.previous_response_id, second.id);
    // The emulator verified both replayed reasoning items (sealed to this caller) and says so.
    assert.equal(third.output_text, 'Hello from the emulator. You asked: "Thanks." (continuing from 2 reasoning items)');

    const body = upstreamBodies(stack).at(-1)!;
    assert.equal(body.previous_response_id, undefined, "the stateless upstream never sees the id");
    assert.equal(body.store, false);
    const input = body.input as Item[];
    assert.deepEqual(userTexts(input), ["My name is Ada.", "What is my name?", "Thanks."]);
    // Both earlier answers are replayed, their reasoning with the encrypted content the emulator verifies.
    const assistant = input.filter((item) => item.type === "message" && item.role === "assistant");
    assert.equal(assistant.length, 2);
    const replayedReasoning = input.filter((item) => item.type === "reasoning");
    assert.equal(replayedReasoning.length, 2);
    assert.ok(replayedReasoning.every((item) => typeof item.encrypted_content === "string"));
    assert.deepEqual(
      replayedReasoning.map((item) => item.id),
      [first, second].map((response) => response.output.find((item) => item.type === "reasoning")!.id),
    );
  });

  it("retrieves, lists input items, deletes, then answers 404", async () => {
    const first = await openai.responses.create({ model: "gpt-5.5", input: "one" });
    const second = await openai.responses.create({ model: "gpt-5.5", input: "two", previous_response_id: first.id });

    const retrieved = await openai.responses.retrieve(second.id);
    assert.equal(retrieved.id, second.id);
    assert.equal(retrieved.output_text, 'Hello from the emulator. You asked: "two" (continuing from 1 reasoning item)', "the SDK's output_text works on a retrieved response");
    assert.deepEqual(retrieved.output, second.output);

    // Default order is newest first; the SDK pages with `after` through every item.
    const listed: Item[] = [];
    for await (const item of openai.responses.inputItems.list(second.id, { limit: 1 })) listed.push(item as unknown as Item);
    assert.deepEqual(
      listed.map((item) => [item.type, item.role]),
      [
        ["message", "user"],
        ["message", "assistant"],
        ["reasoning", undefined],
        ["message", "user"],
      ],
    );
    assert.deepEqual((listed[0].content as Item[])[0], { type: "input_text", text: "two" });
    assert.equal(new Set(listed.map((item) => item.id)).size, 4, "every listed item has its own id");
    const ascending = await openai.responses.inputItems.list(second.id, { order: "asc" });
    assert.deepEqual(
      ascending.data.map((item) => item.id),
      [...listed].reverse().map((item) => item.id),
    );
    assert.equal(ascending.has_more, false);

    const deleted = await openai.responses.delete(second.id).asResponse();
    assert.equal(deleted.status, 200);
    assert.deepEqual(await deleted.json(), { id: second.id, object: "response", deleted: true });
    await assert.rejects(openai.responses.retrieve(second.id), OpenAI.NotFoundError);
    await assert.rejects(openai.responses.delete(second.id), OpenAI.NotFoundError);
    await assert.rejects(openai.responses.create({ model: "gpt-5.5", input: "three", previous_response_id: second.id }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.code, "previous_response_not_found");
      assert.equal(error.param, "previous_response_id");
      return true;
    });
  });

  it("answers an unknown id with OpenAI's 404 shape", async () => {
    const response = await fetch(`${stack.server.baseUrl}/responses/resp_unknown`, { headers: { authorization: `Bearer ${stack.server.apiKey}` } });
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), {
      error: { message: "Response with id 'resp_unknown' not found.", type: "invalid_request_error", param: null, code: null },
    });
    await assert.rejects(openai.responses.inputItems.list("resp_unknown"), OpenAI.NotFoundError);
  });

  it("keeps nothing for store: false", async () => {
    const response = await openai.responses.create({ model: "gpt-5.5", input: "secret", store: false });
    await assert.rejects(openai.responses.retrieve(response.id), OpenAI.NotFoundError);
  });
});

describe("the response store's limits", () => {
  it("evicts the least recently used response at the count limit", async () => {
    await withStack({ ...chatgpt, server: { provider: "chatgpt", responseStore: { maxEntries: 2 } } }, async (stack) => {
      const openai = client(stack.server.baseUrl, stack.server.apiKey);
      const a = await openai.responses.create({ model: "gpt-5.5", input: "a" });
      const b = await openai.responses.create({ model: "gpt-5.5", input: "b" });
      await openai.responses.retrieve(a.id); // a is now more recent than b
      const c = await openai.responses.create({ model: "gpt-5.5", input: "c" });
      await assert.rejects(openai.responses.retrieve(b.id), OpenAI.NotFoundError);
      assert.equal((await openai.responses.retrieve(a.id)).id, a.id);
      assert.equal((await openai.responses.retrieve(c.id)).id, c.id);
    });
  });

  it("does not keep a response larger than the byte limit", async () => {
    await withStack({ ...chatgpt, server: { provider: "chatgpt", responseStore: { maxBytes: 4096 } } }, async (stack) => {
      const openai = client(stack.server.baseUrl, stack.server.apiKey);
      const small = await openai.responses.create({ model: "gpt-5.5", input: "small" });
      const large = await openai.responses.create({ model: "gpt-5.5", input: "x".repeat(8192) });
      await assert.rejects(openai.responses.retrieve(large.id), OpenAI.NotFoundError);
      // An input of items is counted by the text the client sent it in.
      const items = await openai.responses.create({ model: "gpt-5.5", input: [{ role: "user", content: "x".repeat(8192) }] });
      await assert.rejects(openai.responses.retrieve(items.id), OpenAI.NotFoundError);
      // So is one long enough for the body reader to leave it as text until it is kept.
      const long = await openai.responses.create({ model: "gpt-5.5", input: [{ role: "user", content: "x".repeat(40_000) }] });
      await assert.rejects(openai.responses.retrieve(long.id), OpenAI.NotFoundError);
      assert.equal((await openai.responses.retrieve(small.id)).id, small.id);
    });
  });
});

describe("previous_response_id on the stateful Platform (provider openai)", () => {
  it("is forwarded unchanged, and the response is still retrievable here", async () => {
    await withStack({}, async (stack) => {
      const openai = client(stack.server.baseUrl, stack.server.apiKey);
      const first = await openai.responses.create({ model: "gpt-5.5", input: "first" });
      const second = await openai.responses.create({ model: "gpt-5.5", input: "second", previous_response_id: first.id });
      const body = upstreamBodies(stack).at(-1)!;
      assert.equal(body.previous_response_id, first.id);
      assert.equal(body.input, "second", "the input as the client sent it");
      assert.equal(second.previous_response_id, first.id);
      // The local copy knows the whole conversation.
      const items = await openai.responses.inputItems.list(second.id, { order: "asc" });
      assert.deepEqual(
        items.data.filter((item) => item.type === "message" && item.role === "user").map((item) => item.id !== undefined),
        [true, true],
      );
    });
  });
});

describe("persistence (responses_store_hours > 0)", () => {
  it("writes a long input it kept as the client's text to its file whole, and reads it back after a restart", async () => {
    // The Platform: no policy of its reads the input, so it is kept unread.
    await withStack({ server: { provider: "openai", apiKey: "local-key-one-0123456789", responseStore: { retentionHours: 1 } } }, async (stack) => {
      // Past the size the body reader leaves as text (32 KiB), characters of 2 and 3 bytes in it.
      const input = Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? { type: "message", role: "user", content: [{ type: "input_text", text: `Turn ${i}: ${"caf\u00e9 \u2713 ".repeat(250)}` }] }
          : { type: "message", role: "assistant", content: [{ type: "output_text", text: `Turn ${i}: noted.` }] },
      );
      assert.ok(Buffer.byteLength(JSON.stringify(input)) > 32 * 1024);
      const first = await client(stack.server.baseUrl, stack.server.apiKey).responses.create({ model: "gpt-5.5", input: input as OpenAI.Responses.ResponseInput });
      await stack.server.close();
      const again = await createServer({ env: stack.env, home: stack.home, port: 0, provider: "openai", responseStore: { retentionHours: 1 }, apiKey: stack.server.apiKey });
      try {
        const listed = await client(again.baseUrl, again.apiKey).responses.inputItems.list(first.id, { order: "asc", limit: 100 });
        assert.deepEqual(
          listed.data.map((item) => {
            const { id: _id, status: _status, ...rest } = item as unknown as Record<string, unknown>;
            return rest;
          }),
          input,
        );
      } finally {
        await again.close({ drainTimeoutMs: 0 });
      }
    });
  });

  it("survives a restart in 0600 files, and only for the same local key", async () => {
    await withStack({ ...chatgpt, server: { provider: "chatgpt", apiKey: "local-key-one-0123456789", responseStore: { retentionHours: 1 } } }, async (stack) => {
      const first = await client(stack.server.baseUrl, stack.server.apiKey).responses.create({ model: "gpt-5.5", input: "remember me" });
      await stack.server.close();
      const file = join(stack.home, "responses", keyScope(stack.server.apiKey), `${first.id}.json`);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await stat(join(stack.home, "responses"))).mode & 0o777, 0o700);

      const options = { env: stack.env, home: stack.home, port: 0, provider: "chatgpt", responseStore: { retentionHours: 1 } };
      const again = await createServer({ ...options, apiKey: stack.server.apiKey });
      const other = await createServer({ ...options, apiKey: "local-key-two-0123456789" });
      try {
        const openai = client(again.baseUrl, again.apiKey);
        assert.equal((await openai.responses.retrieve(first.id)).output_text, 'Hello from the emulator. You asked: "remember me"');
        const next = await openai.responses.create({ model: "gpt-5.5", input: "and now?", previous_response_id: first.id });
        assert.equal(next.previous_response_id, first.id);
        assert.deepEqual(userTexts(upstreamBodies(stack).at(-1)!.input as Item[]), ["remember me", "and now?"]);
        // Another local key sees nothing of it.
        await assert.rejects(client(other.baseUrl, other.apiKey).responses.retrieve(first.id), OpenAI.NotFoundError);

        await openai.responses.delete(first.id);
        await again.close({ drainTimeoutMs: 0 });
        await assert.rejects(stat(file), { code: "ENOENT" });

        // The follow-up's file holds only its own turn: after another restart it still
        // continues the deleted first turn, which stays deleted.
        const third = await createServer({ ...options, apiKey: stack.server.apiKey });
        try {
          const sdk = client(third.baseUrl, third.apiKey);
          await assert.rejects(sdk.responses.retrieve(first.id), OpenAI.NotFoundError);
          const last = await sdk.responses.create({ model: "gpt-5.5", input: "and then?", previous_response_id: next.id });
          assert.deepEqual(userTexts(upstreamBodies(stack).at(-1)!.input as Item[]), ["remember me", "and now?", "and then?"]);
          await sdk.responses.delete(next.id);
          await third.close({ drainTimeoutMs: 0 });
          // Deleted turns the last one builds on are kept under names never read back as responses.
          const names = await readdir(dirname(file));
          assert.deepEqual(names.filter((name) => !name.includes("~")), [`${last.id}.json`]);
          assert.equal(names.length, 3);
          assert.doesNotMatch(await readFile(join(dirname(file), `${last.id}.json`), "utf8"), /remember me/, "the last turn's file holds only its own turn");
          const fourth = await createServer({ ...options, apiKey: stack.server.apiKey });
          try {
            await client(fourth.baseUrl, fourth.apiKey).responses.delete(last.id);
          } finally {
            await fourth.close({ drainTimeoutMs: 0 });
          }
          assert.deepEqual(await readdir(dirname(file)), [], "once nothing builds on them, they go");
        } finally {
          await third.close({ drainTimeoutMs: 0 });
        }
      } finally {
        await again.close({ drainTimeoutMs: 0 });
        await other.close({ drainTimeoutMs: 0 });
      }
    });
  });
});
