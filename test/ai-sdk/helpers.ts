// Shared pieces of the AI SDK adapter tests: the adapter over the emulator's Platform
// API, and a tool the emulator will call when the prompt names it.
import { jsonSchema, tool } from "ai";
import { createCodexProvider } from "#src/ai-sdk/index.js";
import type { Emulator } from "#src/emulator/index.js";
import type { CreateProviderOptions } from "#src/providers/registry.js";

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

