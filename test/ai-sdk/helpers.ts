// Shared pieces of the ai@5 adapter tests: the adapter over the emulator's Platform
// API, a tool the emulator will call when the prompt names it, and the SDK's warnings
// kept off the terminal.
import assert from "node:assert/strict";
import { after } from "node:test";
import { jsonSchema, tool } from "ai";
import { createCodexProvider } from "#src/ai-sdk/v2.js";
import type { Emulator } from "#src/emulator/index.js";
import type { CreateProviderOptions } from "#src/providers/registry.js";

/**
 * Every warning ai@5 logs, through its documented hook instead of the terminal. Each
 * test file that imports this ends by checking that none says the model ran in a
 * compatibility mode (what a model of another specification version gets).
 */
export const sdkWarnings: Array<{ type: string }> = [];
(globalThis as { AI_SDK_LOG_WARNINGS?: unknown }).AI_SDK_LOG_WARNINGS = (warnings: Array<{ type: string }>) => void sdkWarnings.push(...warnings);
after(() => assert.deepEqual(sdkWarnings.filter((warning) => warning.type === "compatibility"), []));

export function platformCodex(emu: Emulator, options: CreateProviderOptions = {}) {
  return createCodexProvider({ provider: "openai", apiKey: emu.apiKey, baseUrl: emu.apiUrl, env: {}, ...options });
}

export const weatherTool = tool({
  description: "Weather for a city",
  inputSchema: jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
  execute: async ({ city }) => `sunny, 21 C in ${city}`,
});

/** Wire bodies of the emulator's inference requests on `path`. */
export function bodies(emu: Emulator, path = "/v1/responses"): Array<Record<string, any>> {
  return emu.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, any>);
}

