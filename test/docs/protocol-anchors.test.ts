// docs/protocol.md is the spec the code cites by section (`docs/protocol.md#codex-refresh`).
// Every such citation, and every link inside the document, must name a heading that
// exists, so a renamed section cannot leave comments pointing nowhere.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "node:test";

/** The repository root: the nearest directory above this file that has package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    assert.notEqual(parent, dir, "package.json not found above the test");
    dir = parent;
  }
  return dir;
}

const ROOT = repoRoot();
const DOC = readFileSync(join(ROOT, "docs", "protocol.md"), "utf8");

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}

function headingSlugs(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  return [...withoutCode.matchAll(/^#{1,6} +(.+?) *$/gm)].map((match) => slug(match[1]));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith(".ts") && !name.includes("node_modules"))
    .map((name) => join(dir, name));
}

const anchors = new Set(headingSlugs(DOC));

it("docs/protocol.md has no two headings with the same anchor", () => {
  const slugs = headingSlugs(DOC);
  const repeated = slugs.filter((name, index) => slugs.indexOf(name) !== index);
  assert.deepEqual(repeated, []);
});

it("every link inside docs/protocol.md names one of its headings", () => {
  const broken = [...DOC.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]).filter((anchor) => !anchors.has(anchor));
  assert.deepEqual(broken, []);
});

it("every protocol section cited in src, test and bench exists", () => {
  const cited: string[] = [];
  const broken: string[] = [];
  for (const folder of ["src", "test", "bench"]) {
    for (const file of sourceFiles(join(ROOT, folder))) {
      for (const match of readFileSync(file, "utf8").matchAll(/docs\/protocol\.md#([a-z0-9_-]+)/g)) {
        cited.push(match[1]);
        if (!anchors.has(match[1])) broken.push(`${relative(ROOT, file)}: #${match[1]}`);
      }
    }
  }
  assert.ok(cited.length > 0, "the code cites the protocol notes");
  assert.deepEqual(broken, []);
});

it("no citation points at notes outside the repository", () => {
  // Section signs belong to standards (RFC 6749 §5.2, OIDC Core §12.2); the old notes'
  // numbered sections (and their file name) are gone from the code.
  const outside = [new RegExp("PROTOCOL" + "\\.md|PROTOCOL \u00a7"), /(?<!(?:RFC \d{4}|OIDC Core|OIDC Discovery) )\u00a7/];
  const found: string[] = [];
  for (const folder of ["src", "test", "bench"]) {
    for (const file of sourceFiles(join(ROOT, folder))) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (outside.some((pattern) => pattern.test(line))) found.push(`${relative(ROOT, file)}:${index + 1}`);
        });
    }
  }
  assert.deepEqual(found, []);
});
