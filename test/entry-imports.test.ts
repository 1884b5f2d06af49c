// `import("codex-provider")` stays cheap to start (bench/run.ts, startup section): what
// only some calls need loads at their first use. Checked on the built entry in a fresh
// process (the built-in modules the import adds) and over its static imports (which file
// brought a module in), so a new top-level import of something heavy fails here by name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const INDEX = fileURLToPath(import.meta.resolve("#src/index.js"));
const DIST = dirname(INDEX);

/** Built-ins only a call, a fingerprint or a default path needs; each costs milliseconds to load. */
const LAZY_BUILTINS = ["crypto", "https", "tls", "os", "zlib", "child_process", "worker_threads"];
/** Packages and modules of our own that the entry must not load: config, credential store, emulator, CLI. */
const LAZY_MODULES = ["zod", "jose", "smol-toml", "undici", "config/load.js", "auth/store/index.js", "emulator/", "cli/main.js"];

test("importing the package entry loads none of the heavy built-ins", () => {
  const program = `const before = new Set(process.moduleLoadList);
await import(${JSON.stringify(INDEX)});
process.stdout.write(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))));`;
  const added = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", program], { encoding: "utf8" })) as string[];
  assert.ok(Array.isArray(added), "process.moduleLoadList is gone: this check needs another way to list loaded built-ins");
  const heavy = added.filter((entry) => LAZY_BUILTINS.some((name) => entry === `NativeModule ${name}`));
  assert.deepEqual(heavy, []);
});

/**
 * What the entry's static imports reach (dynamic import() excluded): files as paths under
 * dist/, built-ins and packages by specifier, each with the file that imports it.
 */
function staticGraph(): Map<string, string> {
  const reached = new Map<string, string>([["index.js", "(entry)"]]);
  const pending = ["index.js"];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const source = ts.createSourceFile(file, readFileSync(join(DIST, file), "utf8"), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) continue;
      const spec = (statement.moduleSpecifier as ts.StringLiteral).text;
      const module = spec.startsWith(".") ? join(dirname(file), spec) : spec.replace(/^node:/, "");
      if (reached.has(module)) continue;
      reached.set(module, file);
      if (spec.startsWith(".")) pending.push(module);
    }
  }
  return reached;
}

test("the entry's static imports reach no built-in, package or module that loads on first use", () => {
  const graph = staticGraph();
  assert.ok(graph.has("errors.js") && graph.has("transport/response-stream.js"), `expected the entry's module graph, found ${[...graph.keys()].join(", ")}`);
  const lazy = [...graph].filter(([module]) => LAZY_BUILTINS.includes(module) || LAZY_MODULES.some((name) => module === name || module.startsWith(name.endsWith("/") ? name : `${name}/`)));
  assert.deepEqual(
    lazy.map(([module, by]) => `${by} imports ${module} at load time`),
    [],
  );
});
