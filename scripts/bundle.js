// The published entries as one bundle with shared chunks. Importing the library then
// reads a few files instead of ~37 modules, each of which costs Node about a millisecond
// to resolve, read and link (docs/PERFORMANCE.md, "Cold start"). A dynamic import()
// stays a chunk of its own, so what loads at first use still loads at first use; packages
// stay outside. Run after `tsc -p tsconfig.json`: it bundles dist/, whose modules the
// tests and the CLI keep using.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunk names carry a hash: clear the last build's rather than pile them up.
rmSync("dist/bundle", { recursive: true, force: true });

await build({
  entryPoints: {
    index: "dist/index.js",
    "emulator/index": "dist/emulator/index.js",
    "ai-sdk/index": "dist/ai-sdk/index.js",
    "ai-sdk/v2": "dist/ai-sdk/v2.js",
  },
  outdir: "dist/bundle",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
