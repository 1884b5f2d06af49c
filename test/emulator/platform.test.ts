// /v1/responses and /v1/models with a Platform API key (docs/protocol.md#platform-api-key,
// docs/protocol.md#responses-streaming, docs/protocol.md#server-event-set).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "#src/emulator/index.js";
import { post } from "./helpers.js";
import { jsonEvents } from "../support/sse.js";

const weatherTool = {
  type: "function",
  name: "get_weather",
  description: "Weather for a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" }, days: { type: "integer" }, metric: { type: "boolean" }, note: { type: "string" } },
    required: ["city", "days", "metric"],
  },
};

describe("platform /v1", () => {
  let emu: Emulator;
  let url: string;
  before(async () => {
    emu = await startEmulator({ apiKeys: ["sk-test-extra-key-0001"] });
    url = `${emu.apiUrl}/responses`;
  });
  after(() => emu.close());

  it("generates a real-looking project key", () => {
    assert.match(emu.apiKey, /^sk-proj-[A-Za-z0-9_-]{40,}$/);
    assert.equal(emu.apiUrl, `${emu.url}/v1`);
    assert.equal(emu.authUrl, `${emu.url}/auth`);
    assert.equal(emu.chatgptUrl, `${emu.url}/backend-api`);
  });

  it("rejects a missing or unknown key with OpenAI's 401 body", async () => {
    for (const credential of [undefined, "sk-proj-notAKeyWeKnowAbout1234"]) {
      const res = await post(url, credential, { model: "gpt-5.5", input: "hi" });
      assert.equal(res.status, 401);
      const { error } = (await res.json()) as any;
      assert.deepEqual(Object.keys(error).sort(), ["code", "message", "param", "type"]);
      assert.equal(error.type, "invalid_request_error");
      if (credential) {
        assert.equal(error.code, "invalid_api_key");
        assert.ok(!error.message.includes(credential), "the key is not echoed");
      }
    }
    assert.equal((await post(url, "sk-test-extra-key-0001", { model: "gpt-5.5", input: "hi" })).status, 200);
  });

  it("answers non-streaming with the response object and rate-limit headers that move", async () => {
    const first = await post(url, emu.apiKey, { model: "gpt-5.5", input: "What is two plus two?" });
    assert.equal(first.status, 200);
    assert.match(first.headers.get("x-request-id") ?? "", /^req_/);
    const remaining = Number(first.headers.get("x-ratelimit-remaining-requests"));
    for (const h of ["limit-requests", "limit-tokens", "remaining-tokens", "reset-requests", "reset-tokens"]) {
      assert.ok(first.headers.get(`x-ratelimit-${h}`), h);
    }
    assert.match(first.headers.get("x-ratelimit-reset-requests") ?? "", /^\d+(\.\d+)?(ms|s)$|^\d+m\d+s$/);
    const body = (await first.json()) as any;
    assert.equal(body.object, "response");
    assert.equal(body.status, "completed");
    assert.equal(body.store, true);
    assert.equal(body.output[0].type, "message");
    assert.equal(body.output[0].content[0].text, 'Hello from the emulator. You asked: "What is two plus two?"');
    assert.equal(body.usage.total_tokens, body.usage.input_tokens + body.usage.output_tokens);
    const second = await post(url, emu.apiKey, { model: "gpt-5.5", input: "again" });
    assert.equal(Number(second.headers.get("x-ratelimit-remaining-requests")), remaining - 1);
  });

  it("streams the full event set (docs/protocol.md#server-event-set) with LF framing and sequence numbers", async () => {
    const res = await post(url, emu.apiKey, { model: "gpt-5.5", input: [{ role: "user", content: [{ type: "input_text", text: "Say hi" }] }], stream: true });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const text = await res.text();
    assert.ok(!text.includes("\r"), "LF framing");
    assert.match(text, /^event: response\.created\ndata: \{"type":"response\.created","sequence_number":0,/);
    assert.ok(text.endsWith("}\n\n"));
    assert.ok(!text.includes("[DONE]"), "Responses streams do not send [DONE]");
    const events = jsonEvents(text);
    events.forEach((e, i) => assert.equal(e.sequence_number, i));
    const types = events.map((e) => e.type);
    const deltas = types.filter((t) => t === "response.output_text.delta").length;
    assert.ok(deltas >= 4, "word-sized deltas");
    assert.deepEqual(types, [
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      ...Array(deltas).fill("response.output_text.delta"),
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const text2 = events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
    assert.equal(text2, 'Hello from the emulator. You asked: "Say hi"');
    assert.deepEqual(events[2].item.content, []);
    assert.equal(events[3].part.type, "output_text");
    const completed = events.at(-1)!;
    assert.equal(completed.response.status, "completed");
    assert.equal(completed.response.output[0].content[0].text, text2);
    assert.equal(completed.response.usage.output_tokens, deltas);
    assert.equal(completed.response.usage.input_tokens_details.cached_tokens, 0);
  });

  it("emits reasoning summaries and reasoning tokens when asked", async () => {
    const res = await post(url, emu.apiKey, { model: "gpt-5.5", input: "think", stream: true, reasoning: { effort: "high", summary: "auto" } });
    const events = jsonEvents(await res.text());
    const types = events.map((e) => e.type);
    const at = types.indexOf("response.reasoning_summary_part.added");
    assert.ok(at > 0 && at < types.indexOf("response.content_part.added"), "reasoning precedes the message");
    assert.ok(types.includes("response.reasoning_summary_text.delta"));
    assert.ok(types.indexOf("response.reasoning_summary_text.done") < types.indexOf("response.reasoning_summary_part.done"));
    const done = events.at(-1)!.response;
    assert.equal(done.output[0].type, "reasoning");
    assert.ok(done.output[0].summary[0].text.length > 0);
    assert.equal(done.usage.output_tokens_details.reasoning_tokens, 64);
    assert.equal(done.output[0].encrypted_content, undefined, "only with include");
  });

  it("calls a function tool the prompt names, with schema-filling arguments", async () => {
    const res = await post(url, emu.apiKey, { model: "gpt-5.5", input: "Use get_weather for Paris", tools: [weatherTool], stream: true });
    const events = jsonEvents(await res.text());
    const types = events.map((e) => e.type);
    assert.ok(types.includes("response.function_call_arguments.delta"));
    assert.ok(!types.includes("response.output_text.delta"));
    const done = events.find((e) => e.type === "response.function_call_arguments.done")!;
    assert.equal(done.name, "get_weather");
    const item = events.at(-1)!.response.output[0];
    assert.equal(item.type, "function_call");
    assert.match(item.call_id, /^call_/);
    const args = JSON.parse(item.arguments);
    assert.deepEqual(Object.keys(args).sort(), ["city", "days", "metric"]);
    assert.equal(typeof args.city, "string");
    assert.equal(typeof args.days, "number");
    assert.equal(args.metric, true);
    assert.equal(done.arguments, item.arguments);
    // No mention, no call; tool_choice none suppresses even a mention.
    const plain = (await (await post(url, emu.apiKey, { model: "gpt-5.5", input: "hello", tools: [weatherTool] })).json()) as any;
    assert.equal(plain.output[0].type, "message");
    const none = (await (await post(url, emu.apiKey, { model: "gpt-5.5", input: "get_weather", tools: [weatherTool], tool_choice: "none" })).json()) as any;
    assert.equal(none.output[0].type, "message");
  });

  it("answers a function_call_output with text that includes it, and requires the call", async () => {
    const input = [
      { role: "user", content: "Use get_weather" },
      { type: "function_call", call_id: "call_1", name: "get_weather", arguments: "{}" },
      { type: "function_call_output", call_id: "call_1", output: "sunny, 21C" },
    ];
    const body = (await (await post(url, emu.apiKey, { model: "gpt-5.5", input, tools: [weatherTool] })).json()) as any;
    assert.equal(body.output[0].type, "message");
    assert.match(body.output[0].content[0].text, /sunny, 21C/);
    const orphan = await post(url, emu.apiKey, { model: "gpt-5.5", input: [input[2]] });
    assert.equal(orphan.status, 400);
    assert.match(((await orphan.json()) as any).error.message, /No tool call found for function call output with call_id call_1/);
  });

  it("continues stored responses through previous_response_id", async () => {
    const first = (await (await post(url, emu.apiKey, { model: "gpt-5.5", input: "Use get_weather", tools: [weatherTool] })).json()) as any;
    const call = first.output[0];
    const next = await post(url, emu.apiKey, {
      model: "gpt-5.5",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "rainy" }],
    });
    assert.equal(next.status, 200);
    const body = (await next.json()) as any;
    assert.equal(body.previous_response_id, first.id);
    assert.match(body.output[0].content[0].text, /rainy/);
    const missing = await post(url, emu.apiKey, { model: "gpt-5.5", previous_response_id: "resp_nope", input: "x" });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as any).error.code, "previous_response_not_found");
  });

  it("round-trips encrypted reasoning statelessly and rejects foreign or bare items", async () => {
    const first = (await (await post(url, emu.apiKey, { model: "gpt-5.5", store: false, include: ["reasoning.encrypted_content"], reasoning: { effort: "low" }, input: "step one" })).json()) as any;
    const reasoning = first.output.find((item: any) => item.type === "reasoning");
    assert.equal(typeof reasoning.encrypted_content, "string");
    const replay = { model: "gpt-5.5", store: false, input: [{ role: "user", content: "step one" }, { type: "reasoning", summary: [], encrypted_content: reasoning.encrypted_content }, { role: "user", content: "step two" }] };
    const ok = (await (await post(url, emu.apiKey, replay)).json()) as any;
    assert.match(ok.output.at(-1).content[0].text, /continuing from 1 reasoning item\)/);

    // Another key is another principal: its reasoning does not verify here.
    const foreign = await post(url, "sk-test-extra-key-0001", replay);
    assert.equal(foreign.status, 400);
    assert.equal(((await foreign.json()) as any).error.code, "invalid_encrypted_content");
    const tampered = await post(url, emu.apiKey, { ...replay, input: [{ type: "reasoning", summary: [], encrypted_content: `${reasoning.encrypted_content}x` }] });
    assert.equal(tampered.status, 400);

    // A bare rs_ id with store:false cannot be resolved (docs/protocol.md#platform-api-key,
    // docs/protocol.md#codex-body).
    const bare = await post(url, emu.apiKey, { model: "gpt-5.5", store: false, input: [{ type: "reasoning", id: reasoning.id, summary: [] }, { role: "user", content: "x" }] });
    assert.equal(bare.status, 404);
    assert.match(((await bare.json()) as any).error.message, /Items are not persisted when `store` is set to false/);
  });

  it("resolves bare item ids of stored responses", async () => {
    const first = (await (await post(url, emu.apiKey, { model: "gpt-5.5", reasoning: { effort: "low", summary: "auto" }, input: "remember" })).json()) as any;
    const res = await post(url, emu.apiKey, { model: "gpt-5.5", input: [{ type: "item_reference", id: first.output[0].id }, { role: "user", content: "next" }] });
    assert.equal(res.status, 200);
  });

  it("stops at max_output_tokens with response.incomplete", async () => {
    const res = await post(url, emu.apiKey, { model: "gpt-5.5", input: "a long question with many words", max_output_tokens: 3, stream: true });
    const events = jsonEvents(await res.text());
    const last = events.at(-1)!;
    assert.equal(last.type, "response.incomplete");
    assert.deepEqual(last.response.incomplete_details, { reason: "max_output_tokens" });
    assert.equal(events.filter((e) => e.type === "response.output_text.delta").length, 3);
    assert.equal(last.response.output[0].status, "incomplete");
  });

  it("validates model and reasoning effort", async () => {
    const unknown = await post(url, emu.apiKey, { model: "gpt-nope", input: "x" });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as any).error.code, "model_not_found");
    const missing = await post(url, emu.apiKey, { input: "x" });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as any).error.param, "model");
    const effort = await post(url, emu.apiKey, { model: "gpt-5.5", input: "x", reasoning: { effort: "minimal" } });
    assert.equal(effort.status, 400);
    assert.equal(((await effort.json()) as any).error.param, "reasoning.effort");
    const badJson = await post(url, emu.apiKey, "{not json");
    assert.equal(badJson.status, 400);
  });

  it("lists models in the Platform shape", async () => {
    const res = await fetch(`${emu.apiUrl}/models`, { headers: { authorization: `Bearer ${emu.apiKey}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.equal(body.object, "list");
    assert.ok(body.data.length > 0);
    for (const model of body.data) {
      assert.deepEqual(Object.keys(model).sort(), ["created", "id", "object", "owned_by"]);
      assert.equal(model.object, "model");
    }
  });

  it("answers unknown routes like the API", async () => {
    const res = await fetch(`${emu.apiUrl}/nope`, { headers: { authorization: `Bearer ${emu.apiKey}` } });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as any).error.message, /Invalid URL \(GET \/v1\/nope\)/);
  });

  it("records requests, including the body", async () => {
    const before = emu.requests.length;
    await (await post(url, emu.apiKey, { model: "gpt-5.5", input: "recorded" })).text();
    const record = emu.requests[before];
    assert.equal(record.method, "POST");
    assert.equal(record.path, "/v1/responses");
    assert.equal((record.body as any).input, "recorded");
    assert.equal(record.status, 200);
    assert.equal(record.completed, true);
    assert.equal(record.clientAborted, false);
    assert.equal(record.headers.authorization, `Bearer ${emu.apiKey}`);
  });
});
