// test/ mirrors src/ (docs/architecture.md#tests): a test lives in the folder named for
// the src/ folder it exercises, so a maintainer finds a module's tests without searching.
// test/bench/ mirrors the bench's own folder, bench/, the same way.
// Checked over the TypeScript sources, so a folder such as test/unit fails here.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Top-level test folders with a job of their own instead of a src/ folder to mirror. */
const OWN_JOB = new Set(["support", "reliability", "docs", "architecture"]);

/** Folders under test/ that hold TypeScript files, relative to test/ ("" for test/ itself). */
function testFolders(): string[] {
  const files = readdirSync(join(ROOT, "test"), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith(".ts"));
  return [...new Set(files.map((file) => dirname(file)).filter((dir) => dir !== "."))].sort();
}

/** Whether `dir` needs a src/ twin: not a folder with its own job, not a fixtures folder. */
function mirrors(dir: string): boolean {
  const parts = dir.split("/");
  return !OWN_JOB.has(parts[0]) && !parts.includes("fixtures");
}

test("every test folder names a folder under src/ (besides support, reliability, docs, architecture and fixtures)", () => {
  const folders = testFolders();
  assert.ok(folders.includes("auth/store") && folders.includes("support"), `expected the whole test tree, found ${folders.join(", ")}`);
  const twin = (dir: string) => (dir.split("/")[0] === "bench" ? join(ROOT, dir) : join(ROOT, "src", dir));
  const orphans = folders.filter((dir) => mirrors(dir) && !existsSync(twin(dir)));
  assert.deepEqual(
    orphans.map((dir) => `test/${dir}/ has no src/${dir}/: move its tests to the folder of the module they test, or shared helpers to test/support/`),
    [],
  );
});
