// /v1/chat/completions wire details over raw HTTP.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "#src/emulator/index.js";
import { post } from "./helpers.js";
import { parseSse } from "../support/sse.js";

describe("chat completions", () => {
  let emu: Emulator;
  let url: string;
  before(async () => {
    emu = await startEmulator();
    url = `${emu.apiUrl}/chat/completions`;
  });
  after(() => emu.close());

  it("streams data-only chunks, a usage chunk and [DONE]", async () => {
    const res = await post(url, emu.apiKey, { model: "gpt-5.5", messages: [{ role: "user", content: "hi there" }], stream: true, stream_options: { include_usage: true } });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes("event:"));
    assert.ok(text.endsWith("data: [DONE]\n\n"));
    const chunks = parseSse(text).slice(0, -1).map((e) => JSON.parse(e.data));
    assert.deepEqual(chunks[0].choices[0].delta, { role: "assistant", content: "", refusal: null });
    for (const chunk of chunks) {
      assert.equal(chunk.object, "chat.completion.chunk");
      assert.match(chunk.id, /^chatcmpl-/);
    }
    const final = chunks.at(-2);
    assert.equal(final.choices[0].finish_reason, "stop");
    assert.equal(final.usage, null);
    const usage = chunks.at(-1);
    assert.deepEqual(usage.choices, []);
    assert.ok(usage.usage.prompt_tokens > 0 && usage.usage.completion_tokens > 0);
  });

  it("streams tool_calls deltas with index, id, name, then arguments", async () => {
    const res = await post(url, emu.apiKey, {
      model: "gpt-5.5",
      stream: true,
      messages: [{ role: "user", content: "use search_docs" }],
      tools: [{ type: "function", function: { name: "search_docs", parameters: { type: "object", properties: { query: { type: "string" }, limit: { type: "number" } }, required: ["query", "limit"] } } }],
    });
    const chunks = parseSse(await res.text()).slice(0, -1).map((e) => JSON.parse(e.data));
    assert.ok(!("usage" in chunks[0]), "no usage field without include_usage");
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    assert.equal(calls[0].index, 0);
    assert.match(calls[0].id, /^call_/);
    assert.equal(calls[0].type, "function");
    assert.equal(calls[0].function.name, "search_docs");
    assert.ok(calls.slice(1).every((c: any) => c.index === 0 && c.id === undefined));
    const args = JSON.parse(calls.map((c: any) => c.function.arguments).join(""));
    assert.deepEqual(Object.keys(args), ["query", "limit"]);
    assert.equal(chunks.at(-1).choices[0].finish_reason, "tool_calls");
  });

  it("stops with finish_reason length at max_tokens and rejects orphan tool messages", async () => {
    const res = await post(url, emu.apiKey, { model: "gpt-5.5", messages: [{ role: "user", content: "many words here please" }], max_tokens: 2 });
    const body = (await res.json()) as any;
    assert.equal(body.choices[0].finish_reason, "length");
    assert.equal(body.usage.completion_tokens, 2);
    const orphan = await post(url, emu.apiKey, { model: "gpt-5.5", messages: [{ role: "tool", tool_call_id: "x", content: "y" }] });
    assert.equal(orphan.status, 400);
  });

  it("applies stream faults to chunks: truncate drops [DONE], failed sends an error object", async () => {
    const body = { model: "gpt-5.5", messages: [{ role: "user", content: "a b c d e" }], stream: true };
    const truncated = await (await post(url, emu.apiKey, body, { "x-emulator-fault": "truncate;after=2" })).text();
    assert.ok(!truncated.includes("[DONE]"));
    const failed = parseSse(await (await post(url, emu.apiKey, body, { "x-emulator-fault": "failed;code=server_error;after=1" })).text());
    assert.equal(JSON.parse(failed.at(-1)!.data).error.code, "server_error");
    const crlf = await (await post(url, emu.apiKey, body, { "x-emulator-fault": "crlf" })).text();
    assert.ok(crlf.endsWith("data: [DONE]\r\n\r\n"));
  });
});
