// The transport against the emulator over real sockets: every event type, every
// fault, abort, retry counts and backoff bounds (fake clock).
import { getEventListeners } from "node:events";
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProviderError } from "#src/errors.js";
import { collect, fakeClock, inferenceRequests, platformProvider, withEmulator } from "../support/emulator.js";
import { eventually } from "../support/poll.js";

const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

test("text, reasoning summary, usage and the final result", async () => {
  await withEmulator({}, async (emu) => {
    const provider = platformProvider(emu);
    const events = await collect(provider.stream({ input: "Say hello", reasoning: { effort: "medium", summary: "auto" } }));
    const types = new Set(events.map((e) => e.type));
    for (const type of ["created", "text_delta", "reasoning_summary_delta", "output_item_done", "usage", "done"]) {
      assert.ok(types.has(type as never), `missing ${type}`);
    }
    const done = events.at(-1);
    assert.equal(done?.type, "done");
    if (done?.type !== "done") return;
    const text = events.filter((e) => e.type === "text_delta").map((e) => (e.type === "text_delta" ? e.delta : "")).join("");
    assert.equal(done.result.text, text);
    assert.ok(text.length > 0);
    assert.ok(done.result.reasoningSummary.length > 0);
    const reasoning = events.map((e) => (e.type === "reasoning_summary_delta" ? e.delta : "")).join("");
    assert.equal(reasoning, done.result.reasoningSummary, "streamed reasoning equals the result, part breaks included");
    assert.equal(done.result.stopReason, "stop");
    assert.ok(done.result.usage && done.result.usage.outputTokens > 0);
    assert.ok(done.result.usage!.reasoningTokens > 0, "reasoning tokens reported");
  });
});

test("function calls stream their arguments and come back as typed calls; outputs round-trip", async () => {
  await withEmulator({}, async (emu) => {
    const provider = platformProvider(emu);
    const events = await collect(provider.stream({ input: "Use get_weather for Paris", tools: [weatherTool] }));
    const start = events.findIndex((e) => e.type === "function_call_start");
    const firstArgs = events.findIndex((e) => e.type === "function_call_arguments_delta");
    assert.ok(start >= 0 && firstArgs > start, "the call's name is announced before its arguments stream");
    const announced = events[start];
    assert.ok(announced.type === "function_call_start" && announced.name === "get_weather");
    const call = events.find((e) => e.type === "function_call");
    assert.ok(call && call.type === "function_call");
    if (call?.type !== "function_call") return;
    assert.equal(call.call.name, "get_weather");
    assert.equal(typeof JSON.parse(call.call.arguments).city, "string");
    const done = events.at(-1);
    assert.equal(done?.type === "done" && done.result.stopReason, "tool_calls");

    const followUp = await provider.complete({
      input: [
        { type: "message", role: "user", content: "Use get_weather for Paris" },
        { type: "function_call", callId: call.call.callId, name: call.call.name, arguments: call.call.arguments },
        { type: "function_call_output", callId: call.call.callId, output: "sunny, 21 C" },
      ],
      tools: [weatherTool],
    });
    assert.match(followUp.text, /sunny, 21 C/);
  });
});

test("complete() without iterating, and images as data URLs are accepted", async () => {
  await withEmulator({}, async (emu) => {
    const result = await platformProvider(emu).complete({
      input: [{ type: "message", role: "user", content: [{ type: "text", text: "what is this" }, { type: "image", url: "data:image/png;base64,iVBORw0KGgo=" }] }],
    });
    assert.ok(result.text.length > 0);
    const body = inferenceRequests(emu)[0].body as { input: { content: { type: string }[] }[] };
    assert.deepEqual(body.input[0].content.map((c) => c.type), ["input_text", "input_image"]);
  });
});

test("throttling is retried with the server's delay, then succeeds", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "rate_limit", times: 2, retryAfterMs: 30 });
    const clock = fakeClock();
    const retries: string[] = [];
    const result = await platformProvider(emu, { clock, onNotice: (n) => n.code === "retry" && retries.push(n.error.code) }).complete({ input: "hi" });
    assert.ok(result.text.length > 0);
    assert.deepEqual(retries, ["rate_limited", "rate_limited"]);
    assert.deepEqual(clock.sleeps, [30, 30]);
    assert.equal(inferenceRequests(emu).length, 3);
  });
});

test("a usage limit is terminal: one request, no retry", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "usage_limit", times: 5 });
    const clock = fakeClock();
    await assert.rejects(platformProvider(emu, { clock }).complete({ input: "hi" }), (e: unknown) => e instanceof ProviderError && e.code === "insufficient_quota" && !e.retryable);
    assert.equal(inferenceRequests(emu).length, 1);
    assert.deepEqual(clock.sleeps, []);
  });
});

test("5xx is retried maxRetries times with exponential backoff inside the jitter bounds", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "server_error", times: 100 });
    const clock = fakeClock();
    const retry = { maxRetries: 4, baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.2 };
    await assert.rejects(platformProvider(emu, { clock, retry }).complete({ input: "hi" }), (e: unknown) => e instanceof ProviderError && e.code === "server_error");
    assert.equal(inferenceRequests(emu).length, 5);
    assert.deepEqual(clock.sleeps, [100, 200, 400, 800], "random()=0.5 gives the midpoint of the jitter band");
    emu.clearFaults();
  });
});

test("503 overloaded is retried, then succeeds", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "overloaded", times: 1 });
    const result = await platformProvider(emu, { clock: fakeClock() }).complete({ input: "hi" });
    assert.ok(result.text);
    assert.equal(inferenceRequests(emu).length, 2);
  });
});

test("a stream without a terminal event is stream_truncated, never a silent success", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "truncate", times: 10 });
    await assert.rejects(platformProvider(emu, { clock: fakeClock() }).complete({ input: "hi" }), (e: unknown) => e instanceof ProviderError && e.code === "stream_truncated");
    // Text had been delivered before the cut, so it was not retried (it would repeat output).
    assert.equal(inferenceRequests(emu).length, 1);
    emu.clearFaults();
  });
});

test("a truncation before any content is retried and then succeeds", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "truncate", times: 1, after: 0 });
    const result = await platformProvider(emu, { clock: fakeClock() }).complete({ input: "hi" });
    assert.ok(result.text);
    assert.equal(inferenceRequests(emu).length, 2);
  });
});

test("connection reset mid-stream surfaces network_error", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "reset", times: 10 });
    await assert.rejects(platformProvider(emu, { clock: fakeClock() }).complete({ input: "hi" }), (e: unknown) => e instanceof ProviderError && e.code === "network_error" && e.retryable);
    emu.clearFaults();
  });
});

test("CRLF and CR framed streams parse exactly like LF", async () => {
  await withEmulator({}, async (emu) => {
    const provider = platformProvider(emu);
    const plain = await provider.complete({ input: "frame me" });
    for (const name of ["crlf", "cr"] as const) {
      emu.setFault({ name, times: 1 });
      const framed = await provider.complete({ input: "frame me" });
      assert.equal(framed.text, plain.text, name);
      assert.deepEqual(framed.usage, plain.usage, name);
    }
  });
});

test("an idle stream fails with idle_timeout after the configured time", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "idle", times: 10 });
    const started = Date.now();
    await assert.rejects(
      platformProvider(emu, { idleTimeoutMs: 150, clock: fakeClock() }).complete({ input: "hi" }),
      (e: unknown) => e instanceof ProviderError && e.code === "idle_timeout",
    );
    assert.ok(Date.now() - started < 5000);
    emu.clearFaults();
  });
});

test("a malformed data line is skipped with a warning; the answer still completes", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "malformed", times: 1 });
    const warnings: string[] = [];
    const result = await platformProvider(emu, { onNotice: (n) => warnings.push(n.message) }).complete({ input: "hi" });
    assert.ok(result.text);
    assert.equal(warnings.length, 1);
  });
});

test("response.failed, error events and response.incomplete are classified", async () => {
  await withEmulator({}, async (emu) => {
    const provider = platformProvider(emu, { clock: fakeClock() });
    emu.setFault({ name: "failed", times: 1, code: "context_length_exceeded" });
    await assert.rejects(provider.complete({ input: "hi" }), (e: unknown) => e instanceof ProviderError && e.code === "context_length_exceeded");
    emu.setFault({ name: "error_event", times: 1, code: "invalid_prompt" });
    await assert.rejects(provider.complete({ input: "hi" }), (e: unknown) => e instanceof ProviderError && e.code === "bad_request" && e.upstreamCode === "invalid_prompt");
    emu.setFault({ name: "incomplete", times: 1 });
    const result = await provider.complete({ input: "hi" });
    assert.equal(result.stopReason, "length");
    assert.equal(result.incompleteReason, "max_output_tokens");
  });
});

test("a wrong key is a terminal invalid_credentials error with OpenAI's message", async () => {
  await withEmulator({}, async (emu) => {
    const provider = platformProvider(emu, { apiKey: "sk-proj-wrongwrongwrongwrong" });
    await assert.rejects(provider.complete({ input: "hi" }), (e: unknown) => e instanceof ProviderError && e.code === "invalid_credentials" && e.status === 401 && !e.message.includes("wrongwrong"));
    assert.equal(inferenceRequests(emu).length, 1);
  });
});

test("abort mid-stream rejects with aborted and the server sees the client leave", async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "slow", times: 1, delayMs: 50 });
    const controller = new AbortController();
    const stream = platformProvider(emu).stream({ input: "a long answer please" }, { signal: controller.signal });
    await assert.rejects(
      (async () => {
        for await (const event of stream) if (event.type === "text_delta") controller.abort();
      })(),
      (e: unknown) => e instanceof ProviderError && e.code === "aborted",
    );
    await assert.rejects(stream.result(), (e: unknown) => e instanceof ProviderError && e.code === "aborted");
    await eventually(() => inferenceRequests(emu)[0]?.clientAborted === true, 10_000, "the emulator seeing the client leave");
  });
});

test("one signal for many calls keeps no listener per call once they finish, and still cancels the next", async () => {
  await withEmulator({}, async (emu) => {
    const provider = platformProvider(emu);
    const app = new AbortController();
    for (let i = 0; i < 20; i++) await provider.complete({ input: "hi" }, { signal: app.signal });
    // A failed call lets go of it too.
    emu.setFault({ name: "usage_limit", times: 1 });
    await assert.rejects(provider.complete({ input: "hi" }, { signal: app.signal }));
    assert.equal(getEventListeners(app.signal, "abort").length, 0);

    emu.setFault({ name: "slow", times: 1, delayMs: 50 });
    const events = provider.stream({ input: "a long answer please" }, { signal: app.signal })[Symbol.asyncIterator]();
    assert.equal((await events.next()).done, false);
    app.abort();
    await assert.rejects(
      async () => {
        while (!(await events.next()).done);
      },
      (e: unknown) => e instanceof ProviderError && e.code === "aborted",
    );
  });
});

test("an already-aborted signal sends nothing", async () => {
  await withEmulator({}, async (emu) => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(platformProvider(emu).complete({ input: "hi" }, { signal: controller.signal }), (e: unknown) => e instanceof ProviderError && e.code === "aborted");
    assert.equal(inferenceRequests(emu).length, 0);
  });
});

test("rate-limit headers land on the result", async () => {
  await withEmulator({}, async (emu) => {
    const result = await platformProvider(emu).complete({ input: "hi" });
    assert.ok(result.rateLimits?.requests?.limit !== undefined, "x-ratelimit-* parsed");
  });
});

test("listModels over real HTTP", async () => {
  await withEmulator({}, async (emu) => {
    const models = await platformProvider(emu).listModels();
    assert.ok(models.length > 0);
    assert.ok(models.every((m) => typeof m.id === "string"));
  });
});

test("per-call headers are sent with that call only, after the provider's own", async () => {
  await withEmulator({}, async (emu) => {
    const provider = platformProvider(emu, { headers: { "x-app": "provider", "x-team": "a" } });
    await provider.complete({ input: "hi" }, { headers: { "x-team": "b", "x-call": "1" } });
    await provider.complete({ input: "hi" });
    const [withHeaders, without] = inferenceRequests(emu);
    assert.deepEqual([withHeaders.headers["x-app"], withHeaders.headers["x-team"], withHeaders.headers["x-call"]], ["provider", "b", "1"]);
    assert.deepEqual([without.headers["x-team"], without.headers["x-call"]], ["a", undefined]);
  });
});
