// `import("codex-provider")` stays cheap to start (bench/run.ts, startup section): what
// only some calls need loads at their first use. Checked over the built entry's static
// imports, so a new top-level import of something heavy fails here with the file that
// brought it in. (A built-in loads at first use through process.getBuiltinModule.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const DIST = dirname(fileURLToPath(import.meta.resolve("#src/index.js")));

/** Built-ins only a call, a fingerprint or a default path needs; each costs milliseconds to load. */
const LAZY_BUILTINS = ["crypto", "https", "tls", "os", "zlib", "child_process", "worker_threads"];
/** Packages and modules of our own that the entry must not load: config, credential store, emulator, CLI. */
const LAZY_MODULES = ["zod", "jose", "smol-toml", "undici", "config/load.js", "auth/store/index.js", "emulator/", "cli/main.js"];

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
