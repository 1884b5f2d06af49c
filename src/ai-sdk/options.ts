// `providerOptions["codex-provider"]`: the settings the AI SDK's common call options
// lack. Names follow @ai-sdk/openai's, so switching adapters keeps option code.
// Validated with zod, like every non-hot trust boundary (config, stored profiles).
import type { SharedV4ProviderOptions } from "./spec-v4.js";
import * as z from "zod";
import { REASONING_EFFORTS, VERBOSITIES } from "../config/settings.js";
import { ProviderError } from "../errors.js";
import type { ReasoningSummary } from "../types.js";

/** The key of our provider options (on calls and prompt parts) and of our provider metadata. */
export const PROVIDER_KEY = "codex-provider";

const REASONING_SUMMARIES: readonly ReasoningSummary[] = ["auto", "concise", "detailed", "none"];

// Strict, so a misspelt option fails instead of silently doing nothing.
const optionsSchema = z.strictObject({
  reasoningEffort: z.enum(REASONING_EFFORTS).optional(),
  reasoningSummary: z.enum(REASONING_SUMMARIES).optional(),
  textVerbosity: z.enum(VERBOSITIES).optional(),
});

export type CodexProviderOptions = z.infer<typeof optionsSchema>;

const KNOWN = Object.keys(optionsSchema.shape);

function problem(issue: z.core.$ZodIssue, given: Record<string, unknown>): string[] {
  if (issue.code === "unrecognized_keys") return issue.keys.map((key) => `unknown option "${key}" (known: ${KNOWN.join(", ")})`);
  const key = String(issue.path[0]);
  if (issue.code === "invalid_value") {
    return [`${key}: expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}, got ${JSON.stringify(given[key])}`];
  }
  return [`${issue.path.join(".") || "options"}: ${issue.message}`];
}

export function parseProviderOptions(providerOptions: SharedV4ProviderOptions | undefined): CodexProviderOptions {
  const given = providerOptions?.[PROVIDER_KEY] ?? {};
  const parsed = optionsSchema.safeParse(given);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) => problem(issue, given));
  throw new ProviderError("config_error", `Invalid providerOptions["${PROVIDER_KEY}"]: ${problems.join("; ")}.`, {
    param: `providerOptions.${PROVIDER_KEY}`,
  });
}
