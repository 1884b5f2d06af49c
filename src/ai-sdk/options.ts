// `providerOptions["codex-provider"]`: the settings the AI SDK's common call options
// lack. Names follow @ai-sdk/openai's, so switching adapters keeps option code.
import type { SharedV4ProviderOptions } from "./spec-v4.js";
import { choiceKind, REASONING_EFFORTS, VERBOSITIES, type Kind } from "../config/settings.js";
import { ProviderError } from "../errors.js";
import type { ReasoningEffort, ReasoningSummary, Verbosity } from "../types.js";

/** The key of our provider options (on calls and prompt parts) and of our provider metadata. */
export const PROVIDER_KEY = "codex-provider";

export interface CodexProviderOptions {
  reasoningEffort?: ReasoningEffort;
  reasoningSummary?: ReasoningSummary;
  textVerbosity?: Verbosity;
}

const REASONING_SUMMARIES: readonly ReasoningSummary[] = ["auto", "concise", "detailed", "none"];

const OPTION_KINDS: { [K in keyof CodexProviderOptions]-?: Kind<NonNullable<CodexProviderOptions[K]>> } = {
  reasoningEffort: choiceKind(REASONING_EFFORTS),
  reasoningSummary: choiceKind(REASONING_SUMMARIES),
  textVerbosity: choiceKind(VERBOSITIES),
};

/** Checks every key, so a misspelt option fails instead of silently doing nothing. */
export function parseProviderOptions(providerOptions: SharedV4ProviderOptions | undefined): CodexProviderOptions {
  const options: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(providerOptions?.[PROVIDER_KEY] ?? {})) {
    const kind = OPTION_KINDS[key as keyof CodexProviderOptions] as Kind<string> | undefined;
    if (!kind) problems.push(`unknown option "${key}" (known: ${Object.keys(OPTION_KINDS).join(", ")})`);
    else if (value === undefined || kind.fromToml(value) !== undefined) options[key] = value;
    else problems.push(`${key}: expected ${kind.describe}, got ${JSON.stringify(value)}`);
  }
  if (problems.length > 0) {
    throw new ProviderError("config_error", `Invalid providerOptions["${PROVIDER_KEY}"]: ${problems.join("; ")}.`, {
      param: `providerOptions.${PROVIDER_KEY}`,
    });
  }
  return options as CodexProviderOptions;
}
