// Runs every compiled test file with node's built-in runner. Node 20 takes no globs
// and Node 22+ treats directories differently, so the file list is collected here.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const root = process.argv[2] ?? "dist-test/test";
const filter = process.argv[3];
const files = readdirSync(root, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".test.js") && (!filter || f.includes(filter)))
  .sort()
  .map((f) => join(root, f));
if (files.length === 0) {
  console.error(`no test files under ${root}`);
  process.exit(1);
}
// The suite talks to loopback only; a developer's proxy variables must not route it
// (loopback is proxied unless NO_PROXY names it). The proxy tests set their own.
const env = { ...process.env };
for (const name of ["http_proxy", "https_proxy", "all_proxy", "no_proxy", "CODEX_PROVIDER_PROXY"]) {
  delete env[name];
  delete env[name.toUpperCase()];
}
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], { stdio: "inherit", env });
process.exit(result.status ?? 1);
