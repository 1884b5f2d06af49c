// No getters or setters in object literals under src/. V8 gives each evaluation of such a
// literal a hidden class of its own holding the accessor's closure, and hidden classes live
// in old space: the young-generation collector then treats every one as a root, so
// whatever the closure reaches survives until the next full GC. In `serve` a getter in the
// per-request context kept each request's whole graph alive that way (11% of the young
// generation surviving each scavenge, 3–9 ms pauses; docs/PERFORMANCE.md, "Fifth look").
// A class puts the accessor on its prototype, once.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SRC = fileURLToPath(new URL("../../../src/", import.meta.url));

/** Literals made once per process, where a hidden class of their own costs nothing. */
const ONCE_PER_PROCESS = new Set(["emulator/auth/index.ts"]);

/** `file:line` of every accessor declared in an object literal in `text`. */
function literalAccessors(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && ts.isObjectLiteralExpression(node.parent)) {
      found.push(`src/${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} (${node.getText().split("\n")[0]})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test("object literals under src/ declare no getters or setters (each would get a hidden class of its own)", () => {
  const files = readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith(".ts") && !ONCE_PER_PROCESS.has(file));
  const found = files.flatMap((file) => literalAccessors(file, readFileSync(join(SRC, file), "utf8")));
  assert.deepEqual(found, [], `use a class (accessors on its prototype) or a plain method instead:\n${found.join("\n")}`);
});

test("the check finds an accessor in an object literal, and none in a class", () => {
  const text = "const a = { get x() { return 1; } };\nclass B { get y() { return 2; } }\nconst c = { set z(v: number) {} };\n";
  assert.deepEqual(
    literalAccessors("sample.ts", text).map((hit) => hit.split(" ")[0]),
    ["src/sample.ts:1", "src/sample.ts:3"],
  );
});
