// /backend-api: Codex responses, models and usage (docs/protocol.md#codex-headers to docs/protocol.md#codex-errors).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "#src/emulator/index.js";
import { codexToken, post } from "./helpers.js";
import { jsonEvents } from "../support/sse.js";

const body = {
  model: "gpt-5.5",
  instructions: "You are a helpful assistant.",
  input: [{ role: "user", content: [{ type: "input_text", text: "hello backend" }] }],
  store: false,
  stream: true,
  include: ["reasoning.encrypted_content"],
  reasoning: { effort: "medium", summary: "auto" },
  text: { verbosity: "low" },
  prompt_cache_key: "session-1",
};

describe("ChatGPT backend", () => {
  let emu: Emulator;
  let token: string;
  let account: string;
  let url: string;
  const send = (b: unknown, headers: Record<string, string> = {}, credential = token) =>
    post(url, credential, b, { "chatgpt-account-id": account, accept: "text/event-stream", originator: "codex-provider", ...headers });

  before(async () => {
    emu = await startEmulator({ usageBudget: 10, usageResetSeconds: 8040 });
    token = await codexToken(emu);
    account = emu.auth.user.accountId;
    url = `${emu.chatgptUrl}/codex/responses`;
  });
  after(() => emu.close());

  it("streams with x-codex-* headers whose used percent grows", async () => {
    const first = await send(body);
    assert.equal(first.status, 200);
    const events = jsonEvents(await first.text());
    assert.equal(events.at(-1)!.type, "response.completed");
    const p1 = Number(first.headers.get("x-codex-primary-used-percent"));
    assert.equal(first.headers.get("x-codex-primary-window-minutes"), "300");
    assert.equal(first.headers.get("x-codex-secondary-window-minutes"), "10080");
    assert.equal(first.headers.get("x-codex-plan-type"), "plus");
    assert.ok(Number(first.headers.get("x-codex-primary-reset-at")) > Date.now() / 1000);
    const after = Number(first.headers.get("x-codex-primary-reset-after-seconds"));
    assert.ok(after > 8000 && after <= 8040);
    for (const h of ["secondary-used-percent", "secondary-reset-at", "secondary-reset-after-seconds", "credits-has-credits", "credits-unlimited", "credits-balance"]) {
      assert.ok(first.headers.get(`x-codex-${h}`) !== null, h);
    }
    const second = await send(body);
    await second.text();
    assert.ok(Number(second.headers.get("x-codex-primary-used-percent")) > p1);
    assert.ok(Number(second.headers.get("x-codex-secondary-used-percent")) > 0);
  });

  it("requires the account header to match the token's workspace", async () => {
    const res = await send(body, { "chatgpt-account-id": "00000000-0000-4000-8000-000000000000" });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { detail: { code: "invalid_workspace_selected" } });
    // A personal (plus) plan may omit it.
    const bare = await post(url, token, body);
    assert.equal(bare.status, 200);
    await bare.text();
  });

  it("rejects bad or non-Codex credentials with 401", async () => {
    assert.equal((await send(body, {}, "not-a-token")).status, 401);
    const res = await post(url, undefined, body);
    assert.equal(res.status, 401);
  });

  it("accepts at- access tokens", async () => {
    const at = emu.auth.mintCodexAccessToken();
    const res = await send(body, {}, at);
    assert.equal(res.status, 200);
    await res.text();
    const expired = emu.auth.mintCodexAccessToken({ expiresInSeconds: -10 });
    const old = await send(body, {}, expired);
    assert.equal(old.status, 401);
    assert.equal(((await old.json()) as any).error.code, "token_expired");
  });

  it("enforces the backend's request rules with {detail} bodies", async () => {
    const { instructions: _omit, ...withoutInstructions } = body;
    const cases: Array<[unknown, unknown]> = [
      [withoutInstructions, "Instructions are required"],
      [{ ...body, store: true }, "Store must be set to false"],
      [{ ...body, stream: false }, "Stream must be set to true"],
      [{ ...body, max_output_tokens: 100 }, "Unsupported parameter: max_output_tokens"],
      [{ ...body, temperature: 0.5 }, "Unsupported parameter: temperature"],
      [{ ...body, top_p: 0.5 }, "Unsupported parameter: top_p"],
      [{ ...body, previous_response_id: "resp_1" }, "Unsupported parameter: previous_response_id"],
      [{ ...body, safety_identifier: "user-1" }, "Unsupported parameter: safety_identifier"],
      [{ ...body, stream_options: { include_obfuscation: false } }, "Unsupported parameter: stream_options"],
      [{ ...body, model: "gpt-4o-mini" }, "The 'gpt-4o-mini' model is not supported when using Codex with a ChatGPT account."],
    ];
    for (const [b, detail] of cases) {
      const res = await send(b);
      assert.equal(res.status, 400, String(detail));
      assert.deepEqual(await res.json(), { detail });
    }
    const system = await send({ ...body, input: [{ role: "system", content: "x" }, ...body.input] });
    assert.equal(system.status, 400);
    const minimal = await send({ ...body, reasoning: { effort: "minimal" } });
    assert.equal(minimal.status, 400);
    assert.equal(((await minimal.json()) as any).error.param, "reasoning.effort");
    const empty = await send({ ...body, instructions: "" });
    assert.equal(empty.status, 200, "an empty instructions string is accepted");
    await empty.text();
  });

  it("carries encrypted reasoning across turns and rejects foreign or bare reasoning", async () => {
    const first = jsonEvents(await (await send(body)).text());
    const reasoning = first.find((e) => e.type === "response.output_item.done" && e.item.type === "reasoning")!.item;
    assert.equal(typeof reasoning.encrypted_content, "string");
    const { id: _id, ...replayable } = reasoning;
    const followUp = { ...body, input: [...body.input, replayable, { role: "user", content: "and then?" }] };
    const second = jsonEvents(await (await send(followUp)).text());
    const text = second.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
    assert.match(text, /continuing from 1 reasoning item\)/);

    const forged = await send({ ...body, input: [{ type: "reasoning", summary: [], encrypted_content: "gAAAAABforged" }, ...body.input] });
    assert.equal(forged.status, 400);
    assert.equal(((await forged.json()) as any).error.code, "invalid_encrypted_content");

    // Reasoning minted by another emulator for another account does not verify.
    const other = await startEmulator({ user: { accountId: "11111111-2222-4333-8444-555555555555" } });
    try {
      const otherToken = await codexToken(other);
      const res = await post(`${other.chatgptUrl}/codex/responses`, otherToken, followUp);
      assert.equal(res.status, 400);
    } finally {
      await other.close();
    }

    const bare = await send({ ...body, input: [{ type: "reasoning", id: reasoning.id, summary: [] }, ...body.input] });
    assert.equal(bare.status, 404);
    assert.match(((await bare.json()) as any).error.message, /Item with id 'rs_.*' not found/);
  });

  it("serves the model catalog with an etag and honours If-None-Match", async () => {
    const headers = { authorization: `Bearer ${token}`, "chatgpt-account-id": account };
    const res = await fetch(`${emu.chatgptUrl}/codex/models?client_version=0.146.0`, { headers });
    assert.equal(res.status, 200);
    const etag = res.headers.get("x-models-etag");
    assert.ok(etag);
    const { models } = (await res.json()) as any;
    assert.ok(models.length > 1);
    for (const m of models) {
      assert.equal(typeof m.slug, "string");
      assert.ok(Array.isArray(m.supported_reasoning_levels));
      assert.ok(m.supported_reasoning_levels.every((l: any) => typeof l.effort === "string"));
      assert.ok("visibility" in m && "supported_in_api" in m && "priority" in m && "service_tiers" in m);
    }
    assert.ok(models.some((m: any) => m.visibility !== "list"));
    const cached = await fetch(`${emu.chatgptUrl}/codex/models?client_version=0.146.0`, { headers: { ...headers, "if-none-match": etag } });
    assert.equal(cached.status, 304);
  });

  it("reports usage consistent with the headers, then the usage-limit 429", async () => {
    const fresh = await startEmulator({ usageBudget: 2, usageResetSeconds: 600 });
    try {
      const t = await codexToken(fresh);
      const headers = { "chatgpt-account-id": fresh.auth.user.accountId };
      const u = `${fresh.chatgptUrl}/codex/responses`;
      const r1 = await post(u, t, body, headers);
      await r1.text();
      assert.equal(r1.headers.get("x-codex-primary-used-percent"), "50");
      const usage = (await (await fetch(`${fresh.chatgptUrl}/wham/usage`, { headers: { authorization: `Bearer ${t}`, ...headers } })).json()) as any;
      assert.equal(usage.plan_type, "plus");
      assert.equal(usage.rate_limit.primary_window.used_percent, 50);
      assert.equal(usage.rate_limit.primary_window.limit_window_seconds, 18000);
      assert.equal(usage.rate_limit.primary_window.reset_at, Number(r1.headers.get("x-codex-primary-reset-at")));
      assert.equal(usage.rate_limit.limit_reached, false);
      assert.equal(typeof usage.credits.has_credits, "boolean");

      await (await post(u, t, body, headers)).text();
      const limited = await post(u, t, body, headers);
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get("x-codex-primary-used-percent"), "100");
      const { error } = (await limited.json()) as any;
      assert.equal(error.type, "usage_limit_reached");
      assert.equal(error.plan_type, "plus");
      assert.ok(error.resets_in_seconds > 0 && error.resets_in_seconds <= 600);
      assert.equal(error.resets_at, Number(limited.headers.get("x-codex-primary-reset-at")));
      const after = (await (await fetch(`${fresh.chatgptUrl}/wham/usage`, { headers: { authorization: `Bearer ${t}`, ...headers } })).json()) as any;
      assert.equal(after.rate_limit.limit_reached, true);
      assert.equal(after.rate_limit.allowed, false);
    } finally {
      await fresh.close();
    }
  });

  it("answers unknown backend paths with {detail}", async () => {
    const res = await fetch(`${emu.chatgptUrl}/nope`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { detail: "Not Found" });
  });
});
