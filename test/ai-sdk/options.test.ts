// providerOptions["codex-provider"] at the trust boundary: known keys pass, anything else
// is a config_error naming the key and what was expected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseProviderOptions } from "#src/ai-sdk/options.js";
import { ProviderError } from "#src/errors.js";

test("known options pass through; absent ones stay absent", () => {
  assert.deepEqual(parseProviderOptions(undefined), {});
  assert.deepEqual(parseProviderOptions({ "codex-provider": { reasoningEffort: "high", textVerbosity: "low" } }), { reasoningEffort: "high", textVerbosity: "low" });
  assert.deepEqual(parseProviderOptions({ openai: { store: true } }), {}, "other providers' options are not ours to check");
});

test("a misspelt key and a wrong value are both reported, with what was expected", () => {
  assert.throws(
    () => parseProviderOptions({ "codex-provider": { reasoningEfort: "low", textVerbosity: "loud" } }),
    (error: unknown) =>
      error instanceof ProviderError &&
      error.code === "config_error" &&
      error.param === "providerOptions.codex-provider" &&
      error.message.includes('unknown option "reasoningEfort" (known: reasoningEffort, reasoningSummary, textVerbosity)') &&
      error.message.includes('textVerbosity: expected one of "low", "medium", "high", got "loud"'),
  );
});
