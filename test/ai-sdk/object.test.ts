// Structured output: generateObject's schema goes out as text.format (Responses) or
// response_format (Chat Completions), and the JSON that comes back parses and validates.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generateObject, jsonSchema } from "ai";
import { createCodexProvider } from "#src/ai-sdk/v2.js";
import { withEmulator } from "../support/emulator.js";
import { bodies, platformCodex } from "./helpers.js";

const city = jsonSchema<{ city: string; population: number; capital: boolean }>({
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer" }, capital: { type: "boolean" } },
  required: ["city", "population", "capital"],
  additionalProperties: false,
});

test("generateObject sends the schema as text.format and returns a validated object", async () => {
  await withEmulator({}, async (emu) => {
    const { object } = await generateObject({ model: platformCodex(emu)("gpt-5.4"), schema: city, schemaName: "city", prompt: "Describe Paris" });
    assert.equal(typeof object.city, "string");
    assert.equal(typeof object.population, "number");
    assert.equal(object.capital, true);
    const format = bodies(emu)[0].text.format;
    assert.equal(format.type, "json_schema");
    assert.equal(format.name, "city");
    assert.deepEqual(format.schema.required, ["city", "population", "capital"]);
  });
});

test("over a Chat Completions upstream the schema becomes response_format", async () => {
  await withEmulator({}, async (emu) => {
    const chat = createCodexProvider({
      provider: "local",
      env: { LOCAL_KEY: emu.apiKey },
      customProviders: { local: { base_url: emu.apiUrl, wire_api: "chat", env_key: "LOCAL_KEY" } },
    });
    const { object } = await generateObject({ model: chat("gpt-5.4"), schema: city, prompt: "Describe Paris" });
    assert.equal(typeof object.city, "string");
    const body = bodies(emu, "/v1/chat/completions")[0];
    assert.equal(body.response_format.type, "json_schema");
    assert.deepEqual(body.response_format.json_schema.schema.required, ["city", "population", "capital"]);
  });
});
