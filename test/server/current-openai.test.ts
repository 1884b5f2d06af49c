// The current openai SDK (openai@7) against `serve`. Its `responses.stream()` helper is
// stricter than 6.x's: it rejects any event type it does not know, item events whose ids
// or types do not match the item they name, and events out of order. openai@7 needs
// Node >= 22 and is not a devDependency (openai@6 is, for Node 20): CI's Node 24 leg
// installs it apart and names the folder in CODEX_PROVIDER_TEST_OPENAI_DIR.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { currentSdkSkip } from "../support/current-sdk.js";
import { chatUpstream, startCodexStack, startStack, type Stack } from "./helpers.js";

const OPENAI_DIR = process.env.CODEX_PROVIDER_TEST_OPENAI_DIR;
const skip = currentSdkSkip("openai@7", "CODEX_PROVIDER_TEST_OPENAI_DIR");

// Loaded at run time from outside the repository, so typed loosely; the assertions check
// the shapes that matter.
type Sdk = { default: new (options: Record<string, unknown>) => any; APIError: new (...args: any[]) => Error };
let sdk: Sdk;

async function loadSdk(): Promise<Sdk> {
  const entry = createRequire(join(OPENAI_DIR!, "package.json")).resolve("openai");
  // Its exports leave package.json out: read it beside the entry.
  const { version } = JSON.parse(readFileSync(join(dirname(entry), "package.json"), "utf8")) as { version: string };
  assert.equal(version.split(".")[0], "7", `openai@7 expected in ${OPENAI_DIR}, found ${version}`);
  return (await import(pathToFileURL(entry).href)) as Sdk;
}

function clientOf(stack: Stack): any {
  return new sdk.default({ baseURL: stack.server.baseUrl, apiKey: stack.server.apiKey, maxRetries: 0 });
}

/** `responses.stream()` to its final response, with the event types it emitted. */
async function streamed(client: any, params: Record<string, unknown>): Promise<{ final: any; types: string[] }> {
  const types: string[] = [];
  const runner = client.responses.stream(params);
  runner.on("event", (event: { type: string }) => types.push(event.type));
  return { final: await runner.finalResponse(), types };
}

describe("current openai SDK (openai@7) through serve", { skip }, () => {
  before(async () => (sdk = await loadSdk()));

  describe("provider openai (the Platform: events relayed as they came)", () => {
    let stack: Stack;
    before(async () => (stack = await startStack()));
    after(() => stack?.close());

    it("the README recipe: a streamed answer, then a follow-up by previous_response_id", async () => {
      const client = clientOf(stack);
      let text = "";
      let id = "";
      for await (const event of await client.responses.create({ model: "gpt-5.5", input: "Stream please", stream: true })) {
        if (event.type === "response.output_text.delta") text += event.delta;
        if (event.type === "response.completed") id = event.response.id;
      }
      assert.equal(text, 'Hello from the emulator. You asked: "Stream please"');
      const next = await client.responses.create({ model: "gpt-5.5", input: "again", previous_response_id: id });
      assert.equal(next.previous_response_id, id);
      assert.match(next.output_text, /You asked: "again"/);
    });

    for (const shape of ["refusal", "commentary", "annotations", "reasoning_text"] as const) {
      it(`responses.stream() takes an answer with ${shape}`, async () => {
        stack.emulator.setFault({ name: shape });
        const { final, types } = await streamed(clientOf(stack), { model: "gpt-5.5", input: "hi" });
        assert.equal(types[0], "response.created");
        assert.equal(types.at(-1), "response.completed");
        assert.equal(final.status, "completed");
      });
    }

    it("responses.stream() takes a custom tool call", async () => {
      const { final } = await streamed(clientOf(stack), { model: "gpt-5.5", input: "run grep now", tools: [{ type: "custom", name: "grep" }] });
      assert.equal(final.output[0].type, "custom_tool_call");
      assert.equal(final.output[0].name, "grep");
    });

    it("chat.completions streams, with usage", async () => {
      let text = "";
      let usage: unknown;
      const stream = await clientOf(stack).chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hello chat" }], stream: true, stream_options: { include_usage: true } });
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        usage = chunk.usage ?? usage;
      }
      assert.equal(text, 'Hello from the emulator. You asked: "hello chat"');
      assert.ok(usage);
    });

    it("a stream that fails midway: openai@7 throws the failure as an APIError with its code", async () => {
      stack.emulator.setFault({ name: "error_event", after: 2 });
      const seen: string[] = [];
      const error = await (async () => {
        try {
          for await (const event of await clientOf(stack).responses.create({ model: "gpt-5.5", input: "hi", stream: true })) seen.push(event.type);
        } catch (caught) {
          return caught as Error & { code?: string };
        }
      })();
      assert.ok(error instanceof sdk.APIError, String(error));
      assert.equal(error.code, "server_error");
      assert.equal(seen[0], "response.created", "the events before the failure arrived");
    });
  });

  describe("a Chat Completions provider (the Responses events rebuilt by serve)", () => {
    let stack: Stack;
    before(async () => (stack = await startStack({ server: chatUpstream })));
    after(() => stack?.close());

    it("responses.stream() takes the rebuilt event set, a refusal and a tool call", async () => {
      const client = clientOf(stack);
      const plain = await streamed(client, { model: "gpt-5.5", input: "ping", instructions: "Be brief." });
      assert.equal(plain.final.output_text, 'Hello from the emulator. You asked: "ping"');
      stack.emulator.setFault({ name: "refusal" });
      const refused = await streamed(client, { model: "gpt-5.5", input: "hi" });
      assert.equal(refused.final.output[0].content[0].type, "refusal");
      const tools = [{ type: "function", name: "lookup_order", parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] }, strict: false }];
      const called = await streamed(client, { model: "gpt-5.5", input: "please lookup_order 42", tools });
      assert.equal(called.final.output.find((item: { type: string }) => item.type === "function_call")?.name, "lookup_order");
    });
  });

  describe("provider chatgpt-codex (experimental: the backend's own events left out)", () => {
    let stack: Stack;
    before(async () => (stack = await startCodexStack()));
    after(() => stack?.close());

    it("responses.stream() takes the relayed stream: no codex.rate_limits or response.metadata reaches it", async () => {
      const { final, types } = await streamed(clientOf(stack), { model: "gpt-5.5", input: [{ role: "user", content: "hi" }] });
      assert.equal(final.output_text, 'Hello from the emulator. You asked: "hi"');
      assert.equal(types[0], "response.created");
      assert.ok(types.every((type) => type.startsWith("response.")), types.join(", "));
    });
  });
});
