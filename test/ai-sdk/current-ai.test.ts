// The current AI SDK (ai@7, LanguageModelV4) through `codex-provider/ai-sdk`, against
// the emulator. ai@7 needs Node >= 22 and is not a devDependency (ai@5 is, for Node 20):
// CI's Node 24 leg installs it elsewhere and names the folder in CODEX_PROVIDER_TEST_AI_DIR.
// Every SDK warning goes to a hook instead of the terminal, and none may say the model
// ran in a compatibility mode (what ai@7 prints for a V2 model, on every call).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { createCodexProvider } from "#src/ai-sdk/index.js";
import { startEmulator, type Emulator } from "#src/emulator/index.js";
import { currentSdkSkip } from "../support/current-sdk.js";
import { bodies } from "./helpers.js";

const AI_DIR = process.env.CODEX_PROVIDER_TEST_AI_DIR;
const skip = currentSdkSkip("ai@7", "CODEX_PROVIDER_TEST_AI_DIR");

// The SDK is loaded at run time from outside the repository, so it is typed loosely here;
// the assertions check the shapes that matter.
type Ai = Record<string, any>;
type Warning = { type: string; feature?: string; details?: string; setting?: string; message?: string };

describe("current ai (LanguageModelV4)", { skip }, () => {
  let ai: Ai;
  let emu: Emulator;
  let codex: ReturnType<typeof createCodexProvider>;
  const logged: Warning[] = [];
  const processWarnings: string[] = [];
  const onWarning = (warning: Error) => void processWarnings.push(warning.message);

  before(async () => {
    const entry = createRequire(join(AI_DIR!, "package.json")).resolve("ai");
    ai = (await import(pathToFileURL(entry).href)) as Ai;
    // The SDK's documented hook: a function receives the warnings instead of the terminal.
    (globalThis as { AI_SDK_LOG_WARNINGS?: unknown }).AI_SDK_LOG_WARNINGS = ({ warnings }: { warnings: Warning[] }) => void logged.push(...warnings);
    process.on("warning", onWarning);
    emu = await startEmulator({});
    codex = createCodexProvider({ provider: "openai", apiKey: emu.apiKey, baseUrl: emu.apiUrl, env: {} });
  });

  after(async () => {
    process.off("warning", onWarning);
    delete (globalThis as { AI_SDK_LOG_WARNINGS?: unknown }).AI_SDK_LOG_WARNINGS;
    await emu?.close();
    assert.deepEqual(logged.filter((w) => w.type === "compatibility"), [], "no compatibility mode");
    assert.deepEqual(processWarnings, [], "nothing reached process warnings (the terminal)");
  });

  const weather = () =>
    ai.tool({
      description: "Weather for a city",
      inputSchema: ai.jsonSchema({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
      execute: async ({ city }: { city: string }) => `sunny, 21 C in ${city}`,
    });

  it("the model is a v4 model and generateText returns text, V4 usage, metadata and warnings", async () => {
    const model = codex("gpt-5.4");
    assert.equal(model.specificationVersion, "v4");
    const before = logged.length;
    const result = await ai.generateText({ model, prompt: "Say hello", seed: 7, reasoning: "low" });
    assert.match(result.text, /You asked: "Say hello"/);
    assert.equal(result.finishReason, "stop");
    const { inputTokens, outputTokens, totalTokens, inputTokenDetails, outputTokenDetails } = result.usage;
    assert.ok(inputTokens > 0 && outputTokens > 0);
    assert.equal(totalTokens, inputTokens + outputTokens);
    assert.equal(outputTokenDetails.reasoningTokens, 16, "low effort, from the SDK's portable reasoning setting");
    assert.equal(outputTokenDetails.textTokens, outputTokens - 16);
    assert.equal(inputTokenDetails.cacheReadTokens, 0);
    assert.equal(inputTokenDetails.noCacheTokens, inputTokens);
    assert.match(result.response.id, /^resp_/);
    assert.match(String(result.providerMetadata?.["codex-provider"]?.requestId), /^req_/);
    assert.deepEqual(result.warnings, [{ type: "unsupported", feature: "seed" }]);
    assert.deepEqual(logged.slice(before), [{ type: "unsupported", feature: "seed" }], "the hook got our warning, the terminal nothing");
    assert.equal(bodies(emu).at(-1)!.reasoning.effort, "low");
  });

  it("streamText streams text parts and finishes with stop", async () => {
    const result = ai.streamText({ model: codex("gpt-5.4"), prompt: "Say hello" });
    const types: string[] = [];
    for await (const part of result.fullStream) if (types.at(-1) !== part.type) types.push(part.type);
    assert.deepEqual(types, ["start", "start-step", "text-start", "text-delta", "text-end", "finish-step", "finish"]);
    assert.match(await result.text, /You asked: "Say hello"/);
    assert.equal(await result.finishReason, "stop");
  });

  it("a tool loop: the call runs, its result goes back, the second step answers (generateText and streamText)", async () => {
    const options = { model: codex("gpt-5.4"), prompt: "Use get_weather for Paris", tools: { get_weather: weather() }, stopWhen: ai.stepCountIs(2) };
    const generated = await ai.generateText(options);
    assert.deepEqual(generated.steps.map((step: { finishReason: string }) => step.finishReason), ["tool-calls", "stop"]);
    assert.deepEqual(generated.steps[0].toolCalls.map((call: { toolName: string; input: unknown }) => [call.toolName, call.input]), [["get_weather", { city: "Paris" }]]);
    assert.match(generated.text, /The tool returned: sunny, 21 C in Paris/);
    assert.equal(bodies(emu).at(-1)!.input.at(-1).output, "sunny, 21 C in Paris");

    const streamed = ai.streamText(options);
    assert.match(await streamed.text, /The tool returned: sunny, 21 C in Paris/);
    assert.deepEqual((await streamed.steps).map((step: { finishReason: string }) => step.finishReason), ["tool-calls", "stop"]);
  });

  it("structured output: generateObject and generateText's Output.object send the schema and validate the answer", async () => {
    const schema = ai.jsonSchema({
      type: "object",
      properties: { city: { type: "string" }, population: { type: "integer" }, capital: { type: "boolean" } },
      required: ["city", "population", "capital"],
      additionalProperties: false,
    });
    const before = logged.length;
    const { object } = await ai.generateObject({ model: codex("gpt-5.4"), schema, schemaName: "city", prompt: "Describe Paris" });
    assert.equal(typeof object.city, "string");
    assert.equal(object.capital, true);
    assert.equal(bodies(emu).at(-1)!.text.format.name, "city");
    // ai@7 deprecates generateObject itself; that is the SDK's own notice, caught by the hook.
    assert.deepEqual(logged.slice(before).map((w) => w.type), ["deprecated"]);

    const { output } = await ai.generateText({ model: codex("gpt-5.4"), output: ai.Output.object({ schema }), prompt: "Describe Paris" });
    assert.equal(typeof output.population, "number");
    assert.equal(bodies(emu).at(-1)!.text.format.type, "json_schema");
  });

  it("an image goes as a data URL; a provider file reference fails before any request", async () => {
    const count = bodies(emu).length;
    const messages = (data: unknown) => [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "file", data, mediaType: "image/png" }] }];
    const result = await ai.generateText({ model: codex("gpt-5.4"), messages: messages(new Uint8Array([1, 2, 3])) });
    assert.match(result.text, /with 1 attachment/);
    assert.equal(bodies(emu).at(-1)!.input[0].content[1].image_url, "data:image/png;base64,AQID");
    await assert.rejects(ai.generateText({ model: codex("gpt-5.4"), messages: messages({ type: "reference", reference: { openai: "file-1" } }) }), (error: Error & { code?: string }) => error.code === "unsupported_parameter");
    assert.equal(bodies(emu).length, count + 1);
  });
});
