// `providerOptions["codex-provider"]`: the settings the AI SDK's common call options
// lack. Names follow @ai-sdk/openai's, so switching adapters keeps option code.
import type { SharedV2ProviderOptions } from "@ai-sdk/provider";
import { z } from "zod";
import { ProviderError } from "../errors.js";

/** The key of our provider options (on calls and prompt parts) and of our provider metadata. */
export const PROVIDER_KEY = "codex-provider";

// Strict, so a misspelt option fails instead of silently doing nothing.
const codexOptionsSchema = z.strictObject({
  reasoningEffort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).optional(),
  reasoningSummary: z.enum(["auto", "concise", "detailed", "none"]).optional(),
  textVerbosity: z.enum(["low", "medium", "high"]).optional(),
});

export type CodexProviderOptions = z.infer<typeof codexOptionsSchema>;

export function parseProviderOptions(providerOptions: SharedV2ProviderOptions | undefined): CodexProviderOptions {
  const result = codexOptionsSchema.safeParse(providerOptions?.[PROVIDER_KEY] ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`);
  throw new ProviderError("config_error", `Invalid providerOptions["${PROVIDER_KEY}"]: ${problems.join("; ")}.`, {
    param: `providerOptions.${PROVIDER_KEY}`,
  });
}
