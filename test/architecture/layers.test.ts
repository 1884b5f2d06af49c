// The import rule of docs/architecture.md, checked over the TypeScript sources (type-only
// imports count: they couple layers as much as value imports do). A new import that
// points up the layers, or into the emulator, fails here with the offending lines.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SRC = fileURLToPath(new URL("../../../src/", import.meta.url));

type Layer = "base" | "config" | "transport" | "wire" | "auth" | "providers" | "server" | "ai-sdk" | "cli" | "emulator" | "index";

/**
 * Which layers each layer may import (besides itself). Listed in full, bottom up, so the
 * table reads as the diagram: everything may use base; nothing below cli imports cli;
 * the emulator, an independent reading of the protocol, uses nothing of the client.
 */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  base: [],
  config: ["base"],
  transport: ["base"],
  wire: ["base", "transport"],
  auth: ["base", "config", "transport"],
  providers: ["base", "config", "transport", "wire", "auth"],
  server: ["base", "config", "transport", "wire", "auth", "providers"],
  "ai-sdk": ["base", "config", "transport", "wire", "providers"],
  cli: ["base", "config", "transport", "wire", "auth", "providers", "server", "emulator"],
  emulator: ["base"],
  // The package entry re-exports the public surface; the emulator and the AI SDK adapter
  // are entry points of their own and must not load with it.
  index: ["base", "config", "transport", "wire", "auth", "providers", "server", "cli"],
};

const FOLDERS = new Set<string>(["config", "transport", "wire", "auth", "providers", "server", "ai-sdk", "cli", "emulator"]);

/** The layer of a path relative to src/: its top folder, or base for the shared files at the top. */
function layerOf(path: string): Layer {
  const [top, ...rest] = path.split("/");
  if (rest.length === 0) return top === "index.ts" ? "index" : "base";
  if (!FOLDERS.has(top)) throw new Error(`src/${top}/ is not a known layer: add it to the table in test/architecture/layers.test.ts and docs/architecture.md`);
  return top as Layer;
}

interface Edge {
  from: string;
  to: string;
}

/** Every import, re-export and dynamic import between files under `src` (paths relative to it). */
function importEdges(src: string): Edge[] {
  const files = readdirSync(src, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith(".ts"));
  return files.flatMap((file) => {
    const info = ts.preProcessFile(readFileSync(join(src, file), "utf8"), true, true);
    return info.importedFiles
      .map((imported) => imported.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => ({ from: file, to: relative(src, normalize(join(src, dirname(file), spec))).replace(/\.js$/, ".ts") }));
  });
}

test("imports point down the layers (docs/architecture.md)", () => {
  const edges = importEdges(SRC);
  assert.ok(edges.length > 300, `expected the whole source tree, found ${edges.length} imports`);
  const wrong = edges.filter(({ from, to }) => layerOf(from) !== layerOf(to) && !ALLOWED[layerOf(from)].includes(layerOf(to)));
  assert.deepEqual(
    wrong.map(({ from, to }) => `src/${from} imports src/${to} (${layerOf(from)} -> ${layerOf(to)})`),
    [],
  );
});

test("every layer in the table exists, so a renamed folder cannot silently escape the check", () => {
  const present = new Set(importEdges(SRC).map(({ from }) => layerOf(from)));
  assert.deepEqual([...Object.keys(ALLOWED)].filter((layer) => !present.has(layer as Layer)), []);
});
