// /v1 with a Sign-in-with-ChatGPT access token (docs/protocol.md#siwc-inference and docs/protocol.md#siwc-errors).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "#src/emulator/index.js";
import { post, siwcToken } from "./helpers.js";
import { jsonEvents } from "../support/sse.js";

const good = { model: "gpt-5.5", store: false, stream: true, instructions: "Be brief.", input: [{ role: "user", content: "hello" }] };

async function errorOf(res: Response): Promise<any> {
  return ((await res.json()) as any).error;
}

describe("SIWC on /v1", () => {
  let emu: Emulator;
  let token: string;
  let url: string;
  before(async () => {
    emu = await startEmulator();
    token = await siwcToken(emu);
    url = `${emu.apiUrl}/responses`;
  });
  after(() => emu.close());

  it("lists models in the SIWC shape, with a non-list entry", async () => {
    const res = await fetch(`${emu.apiUrl}/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const { models } = (await res.json()) as any;
    assert.ok(Array.isArray(models));
    for (const m of models) assert.deepEqual(Object.keys(m).sort(), ["display_name", "slug", "visibility"]);
    assert.ok(models.some((m: any) => m.visibility === "list"));
    assert.ok(models.some((m: any) => m.visibility !== "list"));
  });

  it("filters the catalog by client_version: a model with a minimal client version needs one that reaches it", async () => {
    const slugs = async (query: string) => {
      const res = await fetch(`${emu.apiUrl}/models${query}`, { headers: { authorization: `Bearer ${token}` } });
      return ((await res.json()) as { models: Array<{ slug: string }> }).models.map((m) => m.slug);
    };
    assert.equal((await slugs("")).includes("gpt-5.5"), false, "no client_version: only unrestricted models");
    assert.equal((await slugs("?client_version=0.159.9")).includes("gpt-5.5"), false);
    assert.equal((await slugs("?client_version=0.160.0")).includes("gpt-5.5"), true);
    assert.equal((await slugs("?client_version=0.169.0")).includes("gpt-5.5"), true);
    assert.ok((await slugs("")).includes("gpt-5.4"));
  });

  it("streams a conforming request", async () => {
    const res = await post(url, token, good);
    assert.equal(res.status, 200);
    const events = jsonEvents(await res.text());
    assert.equal(events.at(-1)!.type, "response.completed");
  });

  it("enforces store:false, stream:true and the must-be-omitted fields", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, store: true }, "store"],
      [{ ...good, store: undefined }, "store"],
      [{ ...good, stream: false }, "stream"],
      [{ ...good, temperature: 0.2 }, "temperature"],
      [{ ...good, max_output_tokens: 10 }, "max_output_tokens"],
      [{ ...good, previous_response_id: "resp_1" }, "previous_response_id"],
      [{ ...good, metadata: {} }, "metadata"],
      [{ ...good, input: "hello" }, "input"],
      [{ ...good, input: [{ type: "message", role: "system", content: "x" }, ...good.input] }, "input[0].role"],
      [{ ...good, tools: [{ type: "function", name: "f", parameters: {} }, { type: "code_interpreter" }] }, "tools[1]"],
      [{ ...good, model: "gpt-4o-mini" }, "model"],
    ];
    for (const [body, param] of cases) {
      const res = await post(url, token, body);
      assert.equal(res.status, 400, param);
      const error = await errorOf(res);
      assert.equal(error.code, "subscription_sharing_unsupported_capability", param);
      assert.equal(error.param, param);
    }
    // Developer messages are fine.
    const ok = await post(url, token, { ...good, input: [{ role: "developer", content: "rules" }, ...good.input] });
    assert.equal(ok.status, 200);
    await ok.text();
  });

  it("takes function and custom tools only in namespaces or additional_tools items, and calls them from there", async () => {
    const fn = { type: "function", name: "lookup_order", parameters: { type: "object", properties: { order_id: { type: "string" } } }, strict: null };
    const prompt = [{ type: "message", role: "user", content: [{ type: "input_text", text: "please lookup_order 7" }] }];
    for (const [tools, at] of [[[fn], "tools[0]"], [[{ type: "web_search" }, { type: "custom", name: "apply_patch" }], "tools[1]"]] as const) {
      const flat = await post(url, token, { ...good, input: prompt, tools });
      assert.equal(flat.status, 400, at);
      const error = await errorOf(flat);
      assert.equal(error.code, "subscription_sharing_unsupported_capability");
      assert.equal(error.param, at);
      assert.match(error.message, /namespace|additional_tools/);
    }
    const developerOnly = await post(url, token, { ...good, input: [{ type: "additional_tools", role: "user", tools: [fn] }, ...prompt] });
    assert.equal(developerOnly.status, 400);
    assert.equal((await errorOf(developerOnly)).param, "input[0]");

    const calledFrom = async (body: Record<string, unknown>) => {
      const res = await post(url, token, body);
      assert.equal(res.status, 200);
      const done = jsonEvents(await res.text()).filter((e: any) => e.type === "response.output_item.done").map((e: any) => e.item);
      return done.find((item: any) => item.type === "function_call")?.name;
    };
    assert.equal(await calledFrom({ ...good, input: [{ type: "additional_tools", role: "developer", tools: [fn] }, ...prompt] }), "lookup_order");
    assert.equal(await calledFrom({ ...good, input: prompt, tools: [{ type: "namespace", name: "orders", description: "Orders", tools: [fn] }] }), "lookup_order");
  });

  it("refuses chat completions and unknown routes for plan tokens", async () => {
    const res = await post(`${emu.apiUrl}/chat/completions`, token, { model: "gpt-5.5", messages: [{ role: "user", content: "x" }] });
    assert.equal(res.status, 403);
    assert.equal((await errorOf(res)).code, "subscription_sharing_route_not_supported");
  });

  it("refuses a grant without chatgpt.tokens.use.direct", async () => {
    const limited = await siwcToken(emu, "openid profile email offline_access");
    const res = await post(url, limited, good);
    assert.equal(res.status, 403);
    assert.equal((await errorOf(res)).code, "chatpass_v2_scope_not_authorized");
  });

  it("counts plan usage and answers the usage-limit 429 once the budget is spent", async () => {
    const fresh = await startEmulator({ usageBudget: 2 });
    try {
      const t = await siwcToken(fresh);
      const u = `${fresh.apiUrl}/responses`;
      for (let i = 0; i < 2; i += 1) assert.equal((await post(u, t, good).then(async (r) => (await r.text(), r))).status, 200);
      const res = await post(u, t, good);
      assert.equal(res.status, 429);
      const error = await errorOf(res);
      assert.equal(error.code, "subscription_sharing_usage_limit_exceeded");
      assert.match(error.message, /chatgpt\.com\/settings\/usage/);
    } finally {
      await fresh.close();
    }
  });

  it("answers 401 for expired and revoked tokens", async () => {
    const fresh = await startEmulator();
    try {
      const t = await siwcToken(fresh);
      fresh.auth.expireAccessTokens();
      const expired = await post(`${fresh.apiUrl}/responses`, t, good);
      assert.equal(expired.status, 401);
      assert.equal((await errorOf(expired)).code, "token_expired");
      const t2 = await siwcToken(fresh);
      fresh.auth.revokeAll();
      const revoked = await post(`${fresh.apiUrl}/responses`, t2, good);
      assert.equal(revoked.status, 401);
      const garbage = await post(`${fresh.apiUrl}/responses`, "eyJhbGciOiJub25lIn0.e30.x", good);
      assert.equal(garbage.status, 401);
    } finally {
      await fresh.close();
    }
  });
});
