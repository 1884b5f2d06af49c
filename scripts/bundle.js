// The published entries as one bundle with shared chunks. Importing the library then
// reads a few files instead of ~37 modules, each of which costs Node about a millisecond
// to resolve, read and link (docs/PERFORMANCE.md, "Cold start"). A dynamic import()
// stays a chunk of its own, so what loads at first use still loads at first use; packages
// stay outside. The CLI (bin/codex-provider.js) is a bundle of its own, with zod and
// smol-toml inside it (zod alone is ~100 files). Run after `tsc -p tsconfig.json`: it
// bundles dist/, whose modules the tests keep using.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { rollup } from "rollup";

// Chunk names carry a hash: clear the last build's rather than pile them up.
rmSync("dist/bundle", { recursive: true, force: true });

/** Cycles inside zod and pure annotations rollup reads differently in zod's source: both harmless. */
function onwarn(warning, warn) {
  if (warning.code === "CIRCULAR_DEPENDENCY" || warning.code === "INVALID_ANNOTATION") return;
  warn(warning);
}

/** Rollup's ESM, which Node 20 runs as is; each dynamic import() a chunk of its own (loaded at first use). */
async function bundle(options, output) {
  const built = await rollup({ ...options, onwarn });
  try {
    await built.write({ dir: "dist/bundle", format: "es", entryFileNames: "[name].js", ...output });
  } finally {
    await built.close();
  }
}

await bundle(
  {
    input: {
      index: "dist/index.js",
      "emulator/index": "dist/emulator/index.js",
      "ai-sdk/index": "dist/ai-sdk/index.js",
      "ai-sdk/v2": "dist/ai-sdk/v2.js",
    },
    // Packages (and Node's modules) stay outside: only dist/'s relative imports are bundled.
    external: (id) => !id.startsWith(".") && !id.startsWith("/"),
  },
  { chunkFileNames: "chunks/[name]-[hash].js" },
);

// The CLI names two chunks, which esbuild (the bundler before) could not: what the
// commands that call a model (ask, chat, models) import statically is one chunk, `core`.
// esbuild split by the set of import() points that reach a module, and the CLI's 35 gave
// a first `ask` 25 shared chunks to load, 15 of them under 2 KB, at ~0.3 ms a file
// (docs/PERFORMANCE.md, "What a first command's start still holds"). What main.js itself
// imports is a chunk of its own, `main` (rollup would otherwise pull it into `core`, whose
// modules import it too), so `--help` does not load `core`; every other import() keeps
// its own chunk.
const cli = fileURLToPath(new URL("../dist/cli/", import.meta.url));
const CORE_ROOTS = ["commands/ask.js", "commands/chat.js", "commands/models.js"].map((file) => cli + file);

/** Every module of dist/ that `roots` reach through static imports, the roots included. */
function staticClosure(roots, getModuleInfo) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const id = queue.pop();
    if (seen.has(id) || id.includes("/node_modules/")) continue;
    seen.add(id);
    queue.push(...(getModuleInfo(id)?.importedIds ?? []));
  }
  return seen;
}

/** Each dist/ module's named chunk: `main` or `core`. */
let chunkOf;
await bundle(
  {
    input: { "cli/main": `${cli}main.js` },
    // What only some commands load (sign-in's ID-token check, streaming) stays a package;
    // undici is imported by a computed name (transport/undici-http.ts) and stays one too.
    external: (id) => id.startsWith("node:") || ["jose", "eventsource-parser", "undici"].includes(id),
    plugins: [nodeResolve({ preferBuiltins: true })],
  },
  {
    chunkFileNames: "cli/chunks/[name]-[hash].js",
    manualChunks(id, { getModuleInfo }) {
      chunkOf ??= (() => {
        const named = new Map([...staticClosure(CORE_ROOTS, getModuleInfo)].map((module) => [module, "core"]));
        for (const root of CORE_ROOTS) named.delete(root);
        for (const module of staticClosure([`${cli}main.js`], getModuleInfo)) named.set(module, "main");
        return named;
      })();
      return chunkOf.get(id);
    },
  },
);
