// The server in front of the ChatGPT-plan providers (signed in through the real flows against the emulator):
// fields the plan paths reject are dropped and named in a header when that is safe and refused when not
// (docs/protocol.md#siwc-inference, docs/protocol.md#codex-rejected-fields), Codex CLI's `tool_search` tool
// is dropped for plan usage, usage limits become a 429 with the reset time, and a missing sign-in is a 401
// with the login command.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { signIn as siwcSignIn } from "../support/siwc.js";
import { agentMessage, runCodex, tempCodexHome } from "./codex-runner.js";
import { assertToolRoundTrip, lookupOrderTool, startCodexStack, startStack, type Stack } from "./helpers.js";

function client(stack: Stack, maxRetries = 0): OpenAI {
  return new OpenAI({ baseURL: stack.server.baseUrl, apiKey: stack.server.apiKey, maxRetries });
}

/** The dropped-params header as a sorted list (drops are found in the upstream's order). */
function dropped(response: Response): string[] {
  return (response.headers.get("x-codex-provider-dropped-params") ?? "").split(", ").sort();
}

describe("provider chatgpt (Sign in with ChatGPT)", () => {
  let stack: Stack;
  const codexHome = tempCodexHome();
  before(async () => {
    stack = await startStack({ server: { provider: "chatgpt" }, emulator: { usageBudget: 6 }, setup: (emu, home) => siwcSignIn(emu, home) });
  });
  after(() => stack.close());
  const upstreamBodies = () => stack.emulator.requests.filter((r) => r.path === "/v1/responses").map((r) => r.body as Record<string, unknown>);

  it("drops sampling knobs and caps, names them in a header, and answers", async () => {
    const { data, response } = await client(stack)
      .chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }], temperature: 0.2, max_tokens: 50, seed: 7 })
      .withResponse();
    assert.equal(data.choices[0].message.content, 'Hello from the emulator. You asked: "hi"');
    assert.deepEqual(dropped(response), ["max_tokens", "seed", "temperature"]);
    const body = upstreamBodies().at(-1)!;
    assert.equal(body.temperature, undefined);
    assert.equal(body.max_output_tokens, undefined);
    assert.equal(body.store, false);

    const raw = await client(stack).responses.create({ model: "gpt-5.5", input: "hey", top_p: 0.5, metadata: { a: "b" } }).withResponse();
    assert.equal(raw.data.output_text, 'Hello from the emulator. You asked: "hey"');
    assert.deepEqual(dropped(raw.response), ["metadata", "top_p"]);
  });

  it("refuses fields whose loss would change the answer", async () => {
    await assert.rejects(client(stack).responses.create({ model: "gpt-5.5", input: "x", previous_response_id: "resp_1" }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.param, "previous_response_id");
      return true;
    });
  });

  it("serves Codex CLI, dropping the tool_search tool plan usage refuses", async () => {
    const run = await runCodex(stack.server.baseUrl, codexHome.path, stack.server.apiKey, "say hi");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(agentMessage(run), 'Hello from the emulator. You asked: "say hi"');
    const body = upstreamBodies().at(-1)!;
    const tools = (body.tools ?? []) as Array<{ type: string }>;
    assert.ok(!tools.some((tool) => tool.type === "tool_search"));
    assert.ok(!tools.some((tool) => tool.type === "function" || tool.type === "custom"), "no flat function/custom tools at the top level");
    const [grouped] = body.input as Array<{ type: string; role: string; tools: Array<{ type: string }> }>;
    assert.equal(grouped.type, "additional_tools");
    assert.equal(grouped.role, "developer");
    assert.ok(grouped.tools.some((tool) => tool.type === "custom"), "Codex CLI's custom tools travel in additional_tools");
    assert.deepEqual(stack.logs.at(-1)!.dropped, ["tools[tool_search]"]);
  });

  it("turns the plan's usage limit into a 429 the SDK does not retry", async () => {
    let error: unknown;
    // The budget (6 requests) runs out within a few calls.
    for (let i = 0; i < 8 && !error; i++) {
      await client(stack, 2).responses.create({ model: "gpt-5.5", input: "x" }).catch((caught: unknown) => (error = caught));
    }
    assert.ok(error instanceof OpenAI.RateLimitError, String(error));
    assert.equal(error.code, "subscription_sharing_usage_limit_exceeded");
    assert.equal(error.headers.get("x-should-retry"), "false");
    assert.match(error.message, /chatgpt\.com\/settings\/usage/);
  });
});

describe("provider chatgpt: tool loops through the openai SDK", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ server: { provider: "chatgpt" }, setup: (emu, home) => siwcSignIn(emu, home) });
  });
  after(() => stack.close());
  const lastUpstream = () => stack.emulator.requests.filter((r) => r.path === "/v1/responses").at(-1)!.body as Record<string, any>;
  const assertGrouped = () => {
    const body = lastUpstream();
    assert.equal(body.tools, undefined, "no flat top-level tools");
    assert.equal(body.input[0].type, "additional_tools");
    assert.deepEqual(body.input[0].tools.map((tool: { name: string }) => tool.name), ["lookup_order"]);
  };

  it("round-trips a Responses tool call", async () => {
    await assertToolRoundTrip(client(stack));
    assertGrouped();
  });

  it("round-trips a Chat Completions tool call", async () => {
    const tools = [{ type: "function" as const, function: { name: lookupOrderTool.name, description: lookupOrderTool.description, parameters: lookupOrderTool.parameters } }];
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: "please lookup_order 7" }];
    const first = await client(stack).chat.completions.create({ model: "gpt-5.5", messages, tools });
    assert.equal(first.choices[0].finish_reason, "tool_calls");
    const call = first.choices[0].message.tool_calls?.[0];
    assert.ok(call && call.type === "function" && call.function.name === "lookup_order");
    assertGrouped();
    const answer = await client(stack).chat.completions.create({
      model: "gpt-5.5",
      tools,
      messages: [...messages, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: "delivered" }],
    });
    assert.equal(answer.choices[0].message.content, "Hello from the emulator. The tool returned: delivered");
    assertGrouped();
  });
});

describe("provider chatgpt-codex (experimental)", () => {
  let stack: Stack;
  const codexHome = tempCodexHome();
  before(async () => (stack = await startCodexStack()));
  after(() => stack.close());

  it("serves Codex CLI from the backend", async () => {
    const run = await runCodex(stack.server.baseUrl, codexHome.path, stack.server.apiKey, "say hi");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(agentMessage(run), 'Hello from the emulator. You asked: "say hi"');
    const upstream = stack.emulator.requests.filter((r) => r.path === "/backend-api/codex/responses");
    assert.equal(upstream.length, 1);
    assert.ok(upstream[0].headers["chatgpt-account-id"]);
  });

  it("strips safety_identifier and stream_options from the pass-through and names them in the header", async () => {
    const params = { model: "gpt-5.5", input: "hi", stream: true as const, safety_identifier: "user-1", stream_options: { include_obfuscation: false } };
    const { data: stream, response } = await client(stack).responses.create(params).withResponse();
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    assert.equal(text, 'Hello from the emulator. You asked: "hi"');
    assert.deepEqual(dropped(response), ["safety_identifier", "stream_options"]);
    const body = stack.emulator.requests.filter((r) => r.path === "/backend-api/codex/responses").at(-1)!.body as Record<string, unknown>;
    assert.equal("safety_identifier" in body, false);
    assert.equal("stream_options" in body, false);
  });

  it("the backend's codex.rate_limits and response.metadata events stay out of the relay, so the SDK's stream helper takes the stream", async () => {
    const params = { model: "gpt-5.5", input: [{ role: "user" as const, content: "hi" }] };
    const final = await client(stack).responses.stream(params).finalResponse();
    assert.equal(final.output_text, 'Hello from the emulator. You asked: "hi"');
    const types: string[] = [];
    for await (const event of await client(stack).responses.create({ ...params, stream: true })) types.push(event.type);
    assert.equal(types[0], "response.created");
    assert.ok(types.every((type) => type.startsWith("response.")), types.join(", "));
  });

  it("retries a stream that breaks after the backend's codex.rate_limits and response.metadata, before response.created", async () => {
    const upstreamCalls = () => stack.emulator.requests.filter((r) => r.path === "/backend-api/codex/responses").length;
    const before = upstreamCalls();
    // The informational events went out, then the stream ended: nothing a client sees was sent yet.
    stack.emulator.setFault({ name: "truncate", before: "response.created" });
    const types: string[] = [];
    let text = "";
    for await (const event of await client(stack).responses.create({ model: "gpt-5.5", input: "hi", stream: true })) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    assert.equal(text, 'Hello from the emulator. You asked: "hi"');
    assert.equal(types.filter((type) => type === "response.created").length, 1);
    assert.equal(upstreamCalls() - before, 2, "one broken attempt, one retry");
  });

  it("reports a usage limit as a 429 with the reset time, in Codex's shape", async () => {
    stack.emulator.setFault({ name: "usage_limit" });
    const res = await fetch(`${stack.server.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.server.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-5.5", messages: [{ role: "user", content: "x" }] }),
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("x-should-retry"), "false");
    const { error } = (await res.json()) as { error: Record<string, any> };
    assert.equal(error.type, "usage_limit_reached");
    assert.equal(typeof error.resets_at, "number");
    assert.match(error.message, /resets at \d{4}-\d\d-\d\dT.*\(in \d/);
  });

  it("shows the usage limit to Codex CLI", async (t) => {
    stack.emulator.setFault({ name: "usage_limit" });
    const run = await runCodex(stack.server.baseUrl, codexHome.path, stack.server.apiKey, "say hi");
    assert.equal(run.code, 1);
    t.diagnostic(JSON.stringify(run.events.filter((e) => e.type === "error" || e.type === "turn.failed")));
    assert.match(JSON.stringify(run.events), /usage limit/i);
  });
});

describe("a provider without a sign-in", () => {
  let stack: Stack;
  before(async () => (stack = await startStack({ server: { provider: "chatgpt", profile: "work" } })));
  after(() => stack.close());

  it("answers 401 with the login command", async () => {
    await assert.rejects(client(stack).responses.create({ model: "gpt-5.5", input: "x" }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.AuthenticationError);
      assert.match(error.message, /codex-provider login --provider chatgpt --profile work/);
      return true;
    });
  });
});
