// The published entries as one bundle with shared chunks. Importing the library then
// reads a few files instead of ~37 modules, each of which costs Node about a millisecond
// to resolve, read and link (docs/PERFORMANCE.md, "Cold start"). A dynamic import()
// stays a chunk of its own, so what loads at first use still loads at first use; packages
// stay outside. The CLI (bin/codex-provider.js) is a bundle of its own, with zod and
// smol-toml inside it: every command reads its config, and zod alone is ~100 files,
// ~55 ms to import here. Run after `tsc -p tsconfig.json`: it bundles dist/, whose
// modules the tests keep using.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunk names carry a hash: clear the last build's rather than pile them up.
rmSync("dist/bundle", { recursive: true, force: true });

/** ESM for Node 20, each dynamic import() a chunk of its own (loaded at first use). */
const common = { outdir: "dist/bundle", bundle: true, splitting: true, format: "esm", platform: "node", target: "node20", logLevel: "warning" };

await build({
  ...common,
  entryPoints: {
    index: "dist/index.js",
    "emulator/index": "dist/emulator/index.js",
    "ai-sdk/index": "dist/ai-sdk/index.js",
    "ai-sdk/v2": "dist/ai-sdk/v2.js",
  },
  chunkNames: "chunks/[name]-[hash]",
  packages: "external",
});

await build({
  ...common,
  entryPoints: { "cli/main": "dist/cli/main.js" },
  chunkNames: "cli/chunks/[name]-[hash]",
  // What only some commands load (sign-in's ID-token check, streaming) stays a package;
  // undici is imported by a computed name (transport/undici-http.ts) and stays one too.
  external: ["jose", "eventsource-parser"],
});
