// The README's full example config.toml must stay valid, and its precedence table must
// name every setting with its env variable and flag.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import { parseConfigText } from "#src/config/load.js";
import { SETTING_KEYS, SETTINGS } from "#src/config/settings.js";

const README = readFileSync(fileURLToPath(new URL("../../../README.md", import.meta.url)), "utf8");

it("the README's example config.toml validates and covers every key", async () => {
  const block = /A full example:\n\n```toml\n([\s\S]*?)```/.exec(README);
  assert.ok(block, "example block found");
  const { data, warnings } = await parseConfigText("README.md", block[1]);
  assert.deepEqual(warnings, []);
  for (const key of SETTING_KEYS.filter((k) => k !== "auth_url" && k !== "chatgpt_url")) assert.ok(key in data, `example sets ${key}`);
  assert.deepEqual(Object.keys(data.providers ?? {}), ["ollama", "openrouter", "azure", "proxy"]);
});

it("the README's precedence table lists every setting's env variable and flag", () => {
  for (const key of SETTING_KEYS) {
    const row = README.split("\n").find((line) => line.startsWith(`| \`${key}\``));
    assert.ok(row, `row for ${key}`);
    assert.ok(row.includes(`\`${SETTINGS[key].env[0]}\``), `${key}: env variable`);
    assert.ok(row.includes(`--${SETTINGS[key].flag}`), `${key}: flag`);
  }
});
