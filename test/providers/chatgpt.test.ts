// Model calls with a SIWC token against the emulator: the docs/protocol.md#siwc-inference body rules (checked
// before any network call), the docs/protocol.md#siwc-errors error classes, and the filtered model list.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ProviderError } from "#src/errors.js";
import type { Provider } from "#src/providers/provider.js";
import { createProvider } from "#src/providers/registry.js";
import type { ModelRequest } from "#src/types.js";
import { readCredential, requestsTo, seenTokens, signIn, siwcEnv, tempHome, useEmulator } from "../support/siwc.js";
import { printed, runCli } from "../support/cli.js";

const fx = useEmulator();
let home: string;
let provider: Provider;
const retries: string[] = [];

/** `call` may throw synchronously: stream()/complete() validate the body before returning. */
async function failure(call: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof ProviderError, String(error));
    return error;
  }
  assert.fail("expected the call to fail");
}

function lastResponsesBody(): Record<string, unknown> {
  const request = fx.emu.requests.filter((r) => r.path.startsWith("/v1/responses")).at(-1);
  return request!.body as Record<string, unknown>;
}

describe("chatgpt inference", () => {
  // Inside the suite, so it runs after useEmulator's file-level hook.
  before(async () => {
    home = await tempHome();
    await signIn(fx.emu, home);
    await readCredential(home);
    provider = createProvider({
      provider: "chatgpt",
      env: siwcEnv(fx.emu, home),
      home,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      onNotice: (n) => n.code === "retry" && retries.push(n.error.upstreamCode ?? n.error.code),
    });
  });

  it("sends store:false, stream:true, an input array, system messages as developer, and only the bearer header", async () => {
    const result = await provider.complete({
      instructions: "be brief",
      input: [
        { type: "message", role: "system", content: "house rules" },
        { type: "message", role: "user", content: "hello" },
      ],
    });
    assert.match(result.text, /Hello from the emulator/);
    const body = lastResponsesBody();
    assert.equal(body.store, false);
    assert.equal(body.stream, true);
    assert.deepEqual(body.include, ["reasoning.encrypted_content"]);
    assert.equal((body.input as Array<{ role: string }>)[0].role, "developer");
    const headers = fx.emu.requests.filter((r) => r.path.startsWith("/v1/responses")).at(-1)!.headers;
    assert.match(headers.authorization, /^Bearer ey/);
    assert.equal(headers["chatgpt-account-id"], undefined);
  });

  const rejected: Array<[string, Partial<ModelRequest>]> = [
    ["temperature", { temperature: 0.2 }],
    ["top_p", { topP: 0.9 }],
    ["max_output_tokens", { maxOutputTokens: 100 }],
    ["metadata", { metadata: { a: "b" } }],
    ["previous_response_id", { previousResponseId: "resp_1" }],
    ["store", { store: true }],
    ...["background", "conversation", "max_tool_calls", "moderation", "multi_agent", "prompt", "prompt_cache_retention", "safety_identifier", "top_logprobs", "truncation", "user", "programmatic_tool_calling"].map(
      (field): [string, Partial<ModelRequest>] => [field, { extraBody: { [field]: field === "background" ? true : "x" } }],
    ),
    ["tools[0]", { extraBody: { tools: [{ type: "image_generation" }] } }],
  ];
  for (const [param, extra] of rejected) {
    it(`refuses ${param} with unsupported_parameter before any network call`, async () => {
      const sent = fx.emu.requests.length;
      const error = await failure(() => provider.complete({ input: "hi", ...extra }));
      assert.equal(error.code, "unsupported_parameter");
      assert.equal(error.param, param);
      assert.equal(fx.emu.requests.length, sent, "the emulator saw no request");
    });
  }

  it("pass-through bodies get the same rules; a string input becomes an item array", async () => {
    const sent = fx.emu.requests.length;
    const error = await failure(() => provider.streamBody({ model: "gpt-5.5", input: "hi", previous_response_id: "resp_1" }).result());
    assert.equal(error.param, "previous_response_id");
    assert.equal(fx.emu.requests.length, sent);
    const result = await provider.streamBody({ model: "gpt-5.5", input: "hi", store: false }).result();
    assert.match(result.text, /Hello/);
    assert.ok(Array.isArray(lastResponsesBody().input));
  });

  it("subscription_sharing_usage_unavailable (503) is retried with backoff and then succeeds", async () => {
    retries.length = 0;
    const before = requestsTo(fx.emu, "/v1/responses");
    fx.emu.setFault({ name: "unavailable", times: 2 });
    const result = await provider.complete({ input: "hi" });
    assert.match(result.text, /Hello/);
    assert.deepEqual(retries, ["subscription_sharing_usage_unavailable", "subscription_sharing_usage_unavailable"]);
    assert.equal(requestsTo(fx.emu, "/v1/responses") - before, 3);
  });

  it("subscription_sharing_usage_limit_exceeded (429) is terminal: usage_limit_reached, no retry, no reset time", async () => {
    retries.length = 0;
    fx.emu.setFault({ name: "usage_limit" });
    const error = await failure(() => provider.complete({ input: "hi" }));
    assert.equal(error.code, "usage_limit_reached");
    assert.equal(error.status, 429);
    assert.equal(error.resetsAt, undefined);
    assert.match(error.message, /chatgpt\.com\/settings\/usage/);
    assert.deepEqual(retries, []);
  });

  it("the usage limit mid-stream (response.failed) is terminal too", async () => {
    fx.emu.setFault({ name: "failed", code: "subscription_sharing_usage_limit_exceeded" });
    const error = await failure(() => provider.complete({ input: "hi" }));
    assert.equal(error.code, "usage_limit_reached");
    assert.equal(error.resetsAt, undefined);
  });

  it("CLI: the usage limit exits 4 with the usage link and no invented reset time", async () => {
    fx.emu.setFault({ name: "usage_limit" });
    const run = await runCli(["ask", "--provider", "chatgpt", "hi"], { env: siwcEnv(fx.emu, home), inherit: false });
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /https:\/\/chatgpt\.com\/settings\/usage/);
    assert.match(run.stderr, /Usage limit reached\./);
    assert.doesNotMatch(run.stderr, /resets/);
  });

  it("a tool loop: function tools go upstream in an additional_tools item, the call comes back, its output is answered", async () => {
    const tools = [{ type: "function" as const, name: "lookup_order", description: "Find an order", parameters: { type: "object", properties: { order_id: { type: "string" } } } }];
    const first = await provider.complete({ input: "please lookup_order 7", tools });
    assert.equal(first.stopReason, "tool_calls");
    const [call] = first.functionCalls;
    assert.equal(call.name, "lookup_order");
    const sent = lastResponsesBody();
    assert.equal(sent.tools, undefined, "no flat top-level tools (the SIWC route refuses them)");
    assert.deepEqual((sent.input as Array<Record<string, unknown>>)[0], {
      type: "additional_tools",
      role: "developer",
      tools: [{ type: "function", name: "lookup_order", description: "Find an order", parameters: tools[0].parameters, strict: null }],
    });

    const second = await provider.complete({
      tools,
      input: [
        { type: "message", role: "user", content: "please lookup_order 7" },
        { type: "function_call", callId: call.callId, name: call.name, arguments: call.arguments },
        { type: "function_call_output", callId: call.callId, output: "shipped" },
      ],
    });
    assert.equal(second.text, "Hello from the emulator. The tool returned: shipped");
    assert.deepEqual((lastResponsesBody().input as Array<{ type: string }>).map((item) => item.type), ["additional_tools", "message", "function_call", "function_call_output"]);
  });

  it("lists only models with visibility \"list\", with display names", async () => {
    const models = await provider.listModels();
    assert.ok(models.length >= 2);
    assert.ok(models.every((m) => typeof m.displayName === "string"));
    assert.ok(models.some((m) => m.id === "gpt-5.5" && m.displayName === "GPT-5.5"), "the catalog is asked for with client_version");
    assert.match(fx.emu.requests.filter((r) => r.path.startsWith("/v1/models")).at(-1)!.path, /^\/v1\/models\?client_version=\d+\.\d+\.\d+$/);
    assert.equal(models.find((m) => m.id === "codex-auto-review"), undefined, "hidden models are filtered out");

    const run = await runCli(["models", "--provider", "chatgpt", "--json"], { env: siwcEnv(fx.emu, home), inherit: false });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), models);
  });

  it("never prints a token the emulator issued (CLI output of this file)", async () => {
    await readCredential(home);
    const output = printed.join("\n");
    for (const token of seenTokens) assert.equal(output.includes(token), false);
  });
});
