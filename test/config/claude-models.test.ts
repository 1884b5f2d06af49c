// The claude_model table: a default for claude-* names, exact overrides, pass-through
// for other names, and malformed tables refused.
import assert from "node:assert/strict";
import { it } from "node:test";
import { parseClaudeModelMap, upstreamModel } from "#src/config/claude-models.js";

it("maps claude-* names to the default, exact names to their entry, other names to themselves", () => {
  const map = parseClaudeModelMap(" gpt-5.5 , claude-haiku-4-5=gpt-5.4-mini ");
  assert.deepEqual(map, { fallback: "gpt-5.5", exact: { "claude-haiku-4-5": "gpt-5.4-mini" } });
  assert.equal(upstreamModel(map, "claude-opus-4-8"), "gpt-5.5");
  assert.equal(upstreamModel(map, "claude-haiku-4-5"), "gpt-5.4-mini");
  assert.equal(upstreamModel(map, "gpt-5.4"), "gpt-5.4");
  assert.equal(upstreamModel(map, "constructor"), "constructor", "no prototype keys");
});

it("leaves claude-* names to the provider's default without a table or a bare entry", () => {
  assert.equal(upstreamModel(undefined, "claude-sonnet-4-6"), undefined);
  assert.equal(upstreamModel(parseClaudeModelMap("claude-x=gpt-5.4"), "claude-sonnet-4-6"), undefined);
});

it("refuses malformed tables", () => {
  for (const text of ["", ",", "gpt-5.5,gpt-5.4", "a=b=c", "=gpt-5.5", "claude x=gpt", Array(65).fill("a=b").join(",")]) {
    assert.equal(parseClaudeModelMap(text), undefined, JSON.stringify(text.slice(0, 40)));
  }
});
