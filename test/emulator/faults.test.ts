// Fault injection: per-request header, instance queue and admin routes, over raw HTTP.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "#src/emulator/index.js";
import { codexToken, post, siwcToken } from "./helpers.js";
import { jsonEvents, parseSse } from "../support/sse.js";
import { eventually } from "../support/poll.js";

const req = { model: "gpt-5.5", input: "one two three four five six", stream: true };

describe("faults", () => {
  let emu: Emulator;
  let url: string;
  const send = (fault: string | undefined, body: unknown = req) => post(url, emu.apiKey, body, fault ? { "x-emulator-fault": fault } : {});

  before(async () => {
    emu = await startEmulator();
    url = `${emu.apiUrl}/responses`;
  });
  after(() => emu.close());

  it("rate_limit: counts per header value and announces the delay three ways", async () => {
    const fault = "rate_limit;times=2;retry_after=0.05";
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await send(fault);
      statuses.push(res.status);
      if (res.status === 429) {
        assert.equal(res.headers.get("retry-after"), "0.05");
        assert.equal(res.headers.get("retry-after-ms"), "50");
        const { error } = (await res.json()) as any;
        assert.equal(error.code, "rate_limit_exceeded");
        assert.match(error.message, /Please try again in 50ms\./);
      } else await res.text();
    }
    assert.deepEqual(statuses, [429, 429, 200]);
    const quiet = await send("rate_limit;headers=false");
    assert.equal(quiet.headers.get("retry-after"), null);
    assert.match(((await quiet.json()) as any).error.message, /try again in 20ms/);
  });

  it("header faults without times apply to every request", async () => {
    for (let i = 0; i < 2; i += 1) assert.equal((await send("server_error")).status, 500);
  });

  it("usage_limit answers each route's own usage error", async () => {
    const platform = await send("usage_limit");
    assert.equal(platform.status, 429);
    assert.equal(((await platform.json()) as any).error.code, "insufficient_quota");

    const siwc = await siwcToken(emu);
    const siwcBody = { model: "gpt-5.5", store: false, stream: true, input: [{ role: "user", content: "x" }] };
    const s = await post(url, siwc, siwcBody, { "x-emulator-fault": "usage_limit" });
    assert.equal(s.status, 429);
    assert.equal(((await s.json()) as any).error.code, "subscription_sharing_usage_limit_exceeded");
    const unavailable = await post(url, siwc, siwcBody, { "x-emulator-fault": "unavailable" });
    assert.equal(unavailable.status, 503);
    assert.equal(((await unavailable.json()) as any).error.code, "subscription_sharing_usage_unavailable");

    const codex = await codexToken(emu);
    const b = await post(`${emu.chatgptUrl}/codex/responses`, codex, { ...siwcBody, instructions: "x" }, { "x-emulator-fault": "usage_limit" });
    assert.equal(b.status, 429);
    const { error } = (await b.json()) as any;
    assert.equal(error.type, "usage_limit_reached");
    assert.equal(typeof error.resets_at, "number");
    assert.ok(b.headers.get("x-codex-primary-used-percent"));
  });

  it("server_error, overloaded and status", async () => {
    const overloaded = await send("overloaded");
    assert.equal(overloaded.status, 503);
    assert.equal(((await overloaded.json()) as any).error.code, "server_is_overloaded");
    const custom = await send("status;status=418;code=teapot;type=odd_error;message=short%20and%20stout");
    assert.equal(custom.status, 418);
    assert.deepEqual(((await custom.json()) as any).error, { message: "short and stout", type: "odd_error", param: null, code: "teapot" });
    const detail = await send("status;status=403;detail=Forbidden");
    assert.deepEqual(await detail.json(), { detail: "Forbidden" });
    const unknown = await send("nonsense");
    assert.equal(unknown.status, 400);
  });

  it("reset destroys the socket mid-stream", async () => {
    const res = await send("reset;after=2");
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    const record = emu.requests.at(-1)!;
    await eventually(() => !record.completed && record.status === 200);
    assert.equal(record.clientAborted, false, "the server cut it, not the client");
  });

  it("truncate ends cleanly without a terminal event", async () => {
    const text = await (await send("truncate;after=3")).text();
    const events = jsonEvents(text);
    assert.equal(events.filter((e) => e.type === "response.output_text.delta").length, 3);
    assert.ok(!events.some((e) => /^response\.(completed|failed|incomplete)$/.test(e.type)));
  });

  it("crlf and cr change only the line endings", async () => {
    const crlf = await (await send("crlf")).text();
    assert.match(crlf, /^event: response\.created\r\ndata: .*\r\n\r\n/);
    assert.ok(!/[^\r]\n/.test(crlf), "every LF is part of a CRLF");
    const cr = await (await send("cr")).text();
    assert.ok(!cr.includes("\n"));
    assert.match(cr, /^event: response\.created\rdata: /);
    for (const text of [crlf, cr]) assert.equal(jsonEvents(text).at(-1)!.type, "response.completed");
  });

  it("idle sends some events then goes silent; the client leaving is recorded", async () => {
    const res = await send("idle;after=1");
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("response.output_text.delta")) text += new TextDecoder().decode((await reader.read()).value);
    const record = emu.requests.at(-1)!;
    assert.equal(record.completed, false);
    await reader.cancel();
    await eventually(() => record.clientAborted);
    assert.equal(record.completed, false);
  });

  it("slow spaces events out by delay_ms", async () => {
    const started = Date.now();
    const events = jsonEvents(await (await send("slow;delay_ms=5")).text());
    assert.ok(Date.now() - started >= events.length * 4);
  });

  it("malformed adds one unparseable data line and keeps the rest valid", async () => {
    const parsed = parseSse(await (await send("malformed;after=1")).text());
    const bad = parsed.filter((e) => {
      try {
        JSON.parse(e.data);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(bad.length, 1);
    const good = parsed.filter((e) => !bad.includes(e)).map((e) => JSON.parse(e.data));
    good.forEach((e, i) => assert.equal(e.sequence_number, i));
    assert.equal(good.at(-1).type, "response.completed");
  });

  it("failed, incomplete and error_event end the stream in-band", async () => {
    const failed = jsonEvents(await (await send("failed;code=subscription_sharing_usage_limit_exceeded;after=1")).text());
    assert.equal(failed.filter((e) => e.type === "response.output_text.delta").length, 1);
    const last = failed.at(-1)!;
    assert.equal(last.type, "response.failed");
    assert.equal(last.response.status, "failed");
    assert.equal(last.response.error.code, "subscription_sharing_usage_limit_exceeded");
    failed.forEach((e, i) => assert.equal(e.sequence_number, i));
    const rate = jsonEvents(await (await send("failed;code=rate_limit_exceeded")).text()).at(-1)!;
    assert.match(rate.response.error.message, /try again in/);

    const incomplete = jsonEvents(await (await send("incomplete;after=2")).text());
    assert.equal(incomplete.at(-1)!.type, "response.incomplete");
    assert.equal(incomplete.at(-1)!.response.incomplete_details.reason, "max_output_tokens");
    assert.equal(incomplete.filter((e) => e.type === "response.output_text.delta").length, 2);

    const error = jsonEvents(await (await send("error_event;code=server_error;after=0")).text());
    assert.equal(error.at(-1)!.type, "error");
    assert.equal(error.at(-1)!.code, "server_error");
    assert.ok(!("error" in error.at(-1)!), "no top-level error key (the SDK would throw on it)");
  });

  it("non-streaming requests map stream faults sensibly", async () => {
    const body = { ...req, stream: false };
    await assert.rejects(send("reset", body), "cut before the response head");
    const failed = await send("failed;code=server_error", body);
    assert.equal(failed.status, 500);
    const incomplete = (await (await send("incomplete;after=1", body)).json()) as any;
    assert.equal(incomplete.status, "incomplete");
  });

  it("setFault queues instance faults for the next inference requests only", async () => {
    emu.setFault({ name: "rate_limit", times: 2, retryAfterMs: 10 });
    const models = await fetch(`${emu.apiUrl}/models`, { headers: { authorization: `Bearer ${emu.apiKey}` } });
    assert.equal(models.status, 200, "model listing does not draw from the queue");
    assert.equal((await send(undefined)).status, 429);
    assert.equal((await send(undefined)).status, 429);
    const ok = await send(undefined);
    assert.equal(ok.status, 200);
    await ok.text();
    emu.setFault({ name: "server_error", times: 5 });
    emu.clearFaults();
    const cleared = await send(undefined);
    assert.equal(cleared.status, 200);
    await cleared.text();
    assert.throws(() => emu.setFault({ name: "bogus" as never }));
  });

  it("admin routes queue faults and expose masked requests", async () => {
    const bad = await post(`${emu.url}/__emulator/faults`, undefined, { name: "bogus" });
    assert.equal(bad.status, 400);
    const queued = await post(`${emu.url}/__emulator/faults`, undefined, { name: "overloaded", times: 1 });
    assert.equal(queued.status, 204);
    assert.equal((await send(undefined)).status, 503);
    await post(`${emu.url}/__emulator/faults`, undefined, { name: "overloaded" });
    assert.equal((await fetch(`${emu.url}/__emulator/faults`, { method: "DELETE" })).status, 204);
    const ok = await send(undefined);
    assert.equal(ok.status, 200);
    await ok.text();

    const listed = (await (await fetch(`${emu.url}/__emulator/requests`)).json()) as any[];
    assert.equal(listed.length, emu.requests.length, "admin calls are not recorded");
    const text = JSON.stringify(listed);
    assert.ok(!text.includes(emu.apiKey), "no key in the admin log");
    assert.match(listed.at(-1).headers.authorization, /^Bearer sha256:[0-9a-f]{8}$/);
  });

  it("clientAborted is recorded when the client hangs up mid-stream", async () => {
    const slow = await startEmulator({ deltaDelayMs: 20 });
    try {
      const res = await post(`${slow.apiUrl}/responses`, slow.apiKey, req);
      const reader = res.body!.getReader();
      await reader.read();
      await reader.cancel();
      const record = slow.requests.at(-1)!;
      await eventually(() => record.clientAborted);
      assert.equal(record.completed, false);
    } finally {
      await slow.close();
    }
  });

  it("access log lines carry method, path, status and time, never a token", async () => {
    const lines: string[] = [];
    const logged = await startEmulator({ log: (line) => lines.push(line) });
    try {
      await (await post(`${logged.apiUrl}/responses`, logged.apiKey, { model: "gpt-5.5", input: "x" })).text();
      await (await fetch(`${logged.authUrl}/oauth/authorize?code=secret-code-value&state=s`, { redirect: "manual" })).text();
      await eventually(() => lines.length === 2);
      assert.match(lines[0], /^POST \/v1\/responses 200 \d+(\.\d+)?ms$/);
      assert.ok(!lines.join("\n").includes(logged.apiKey));
      assert.ok(!lines.join("\n").includes("secret-code-value"));
    } finally {
      await logged.close();
    }
  });
});
