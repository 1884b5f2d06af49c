// What users import and run: the package's exports, which point at the bundle
// scripts/bundle.js makes from dist/ (one copy of the library shared by the entries, a few
// files to load instead of ~37 modules), and the CLI's own bundle. The other suites test
// dist/'s modules (and the CLI through bin/, so through its bundle); this one checks,
// through the package names, that the bundle is the same library end to end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateText } from "ai";

const execFileAsync = promisify(execFile);

const ENTRIES = ["codex-provider", "codex-provider/emulator", "codex-provider/ai-sdk", "codex-provider/ai-sdk/v2"];

test("every package entry resolves into the bundle", () => {
  for (const entry of ENTRIES) assert.match(import.meta.resolve(entry), /\/dist\/bundle\/[^/]+(\/[^/]+)?\.js$/, entry);
});

test("the bundled entry loads a few files and no package at import; what loads at first use stays out", () => {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    // The bundler's output: static imports and re-exports at the start of a line, each
    // ending in its specifier (`import 'x';` too); import() is left as a call.
    for (const [, spec] of readFileSync(file, "utf8").matchAll(/^(?:import|export)\b[^;]*?['"]([^'"]+)['"];?$/gm)) {
      if (spec.startsWith(".")) visit(join(dirname(file), spec));
      else external.add(spec);
    }
  };
  visit(fileURLToPath(import.meta.resolve("codex-provider")));
  assert.ok(files.size > 1 && files.size <= 16, `the entry loads ${files.size} files`);
  assert.deepEqual([...external].filter((spec) => !spec.startsWith("node:") || /^node:(crypto|https?|net|tls|os|zlib|child_process|worker_threads)$/.test(spec)), []);
});

test("through the package names: emulator, streamed call, local server and AI SDK adapter work, on one copy of the library", async () => {
  const { startEmulator } = await import("codex-provider/emulator");
  const lib = await import("codex-provider");
  // `ai` here is AI SDK 5, which takes the v2 adapter; the default entry (v4, AI SDK 7) is only loaded.
  const { createCodexProvider } = await import("codex-provider/ai-sdk/v2");
  const v4 = await import("codex-provider/ai-sdk");
  const emu = await startEmulator();
  const home = mkdtempSync(join(tmpdir(), "cp-entries-"));
  try {
    const provider = lib.createProvider({ provider: "openai", apiKey: emu.apiKey, baseUrl: emu.apiUrl, env: {} });
    let text = "";
    for await (const event of provider.stream({ model: "gpt-5.4", input: "hi" })) if (event.type === "text_delta") text += event.delta;
    assert.match(text, /You asked: "hi"/);

    // The server loads as a chunk of its own at first use.
    const server = await lib.createServer({ provider: "openai", providerOptions: { apiKey: emu.apiKey, baseUrl: emu.apiUrl }, env: {}, home, apiKey: "local-key-entries-0123456789", port: 0 });
    try {
      const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: "Bearer local-key-entries-0123456789" } });
      assert.equal(models.status, 200);
      assert.ok(((await models.json()) as { data: unknown[] }).data.length > 0);
    } finally {
      await server.close({ drainTimeoutMs: 0 });
    }

    assert.equal(v4.createCodexProvider({ provider: "openai", apiKey: emu.apiKey, baseUrl: emu.apiUrl, env: {} })("gpt-5.4").specificationVersion, "v4");
    const codex = createCodexProvider({ provider: "openai", apiKey: emu.apiKey, baseUrl: emu.apiUrl, env: {} });
    assert.match((await generateText({ model: codex("gpt-5.4"), prompt: "hello" })).text, /You asked: "hello"/);
    // The adapter's failures are the main entry's ProviderError: the entries share one copy.
    emu.setFault({ name: "usage_limit" });
    await assert.rejects(generateText({ model: codex("gpt-5.4"), prompt: "hi" }), (error) => error instanceof lib.ProviderError && lib.isProviderError(error, "insufficient_quota"));
  } finally {
    await emu.close();
    rmSync(home, { recursive: true, force: true });
  }
});

/**
 * Runs the CLI (`bin/`) with `args` in a scratch state directory (with `config` as its
 * config.toml and `profile` as its default profile's file, when given) and returns
 * every file URL the process resolved, written down by a resolve hook
 * (module.register). The developer's own CODEX_PROVIDER_* settings and OPENAI_API_KEY
 * stay out; `env` adds to the rest.
 */
async function resolvedByCli(args: string[], options: { config?: string; profile?: string; env?: Record<string, string> } = {}): Promise<{ stdout: string; files: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "cp-cli-bundle-"));
  try {
    const log = join(dir, "resolved.txt");
    writeFileSync(join(dir, "hooks.mjs"), `import { appendFileSync } from "node:fs";\nexport async function resolve(specifier, context, next) {\n  const resolved = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, resolved.url + "\\n");\n  return resolved;\n}\n`);
    writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`);
    const home = join(dir, "home");
    mkdirSync(home, { mode: 0o700 });
    if (options.config !== undefined) writeFileSync(join(home, "config.toml"), options.config, { mode: 0o600 });
    if (options.profile !== undefined) {
      mkdirSync(join(home, "credentials"), { mode: 0o700 });
      writeFileSync(join(home, "credentials", "default.json"), options.profile, { mode: 0o600 });
    }
    const bin = fileURLToPath(new URL("../../bin/codex-provider.js", import.meta.url));
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("CODEX_PROVIDER_") && name !== "OPENAI_API_KEY"));
    // Not spawnSync: the command may talk to an emulator running in this process.
    const run = await execFileAsync(process.execPath, ["--import", join(dir, "register.mjs"), bin, ...args], { env: { ...env, ...options.env, CODEX_PROVIDER_HOME: home }, encoding: "utf8" });
    return { stdout: run.stdout, files: readFileSync(log, "utf8").split("\n").filter((url) => url.startsWith("file:")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the CLI runs from its own bundle: a command that reads the config loads no module of ours from dist/ outside it, and no zod or smol-toml file", async () => {
  const { stdout, files } = await resolvedByCli(["config", "show"], { config: 'model = "gpt-5.4"\n' });
  assert.match(stdout, /gpt-5\.4/, "the config was read");
  const ours = files.filter((url) => url.includes("/dist/"));
  assert.ok(ours.length > 0 && ours.every((url) => url.includes("/dist/bundle/cli/")), ours.filter((url) => !url.includes("/dist/bundle/cli/")).join("\n"));
  assert.deepEqual(files.filter((url) => /\/node_modules\/(zod|smol-toml)\//.test(url)), []);
});

test("a command with no config.toml does not load zod, from the environment or a stored key; with one, the config is checked", async () => {
  const { startEmulator } = await import("codex-provider/emulator");
  const emu = await startEmulator();
  try {
    // zod is inside the CLI's bundle: its chunk is the one that defines zod's base type.
    const zodChunks = (files: string[]) => files.filter((url) => url.includes("/dist/bundle/cli/") && readFileSync(fileURLToPath(url), "utf8").includes('"$ZodType"'));
    const env = { OPENAI_API_KEY: emu.apiKey, CODEX_PROVIDER_API_URL: emu.apiUrl };
    const bare = await resolvedByCli(["ask", "--quiet", "hi"], { env });
    assert.match(bare.stdout, /You asked: "hi"/);
    assert.deepEqual(zodChunks(bare.files), []);
    // A stored credential is read at every start: its file is checked without zod.
    const profile = JSON.stringify({ version: 1, credentials: { openai: { type: "api-key", key: emu.apiKey, savedAt: new Date().toISOString() } } });
    const stored = await resolvedByCli(["ask", "--quiet", "hi"], { env: { CODEX_PROVIDER_API_URL: emu.apiUrl }, profile });
    assert.match(stored.stdout, /You asked: "hi"/);
    assert.deepEqual(zodChunks(stored.files), []);
    const configured = await resolvedByCli(["ask", "--quiet", "hi"], { env, config: 'reasoning_effort = "low"\n' });
    assert.match(configured.stdout, /You asked: "hi"/);
    assert.ok(zodChunks(configured.files).length > 0, "zod loads to check the file");
  } finally {
    await emu.close();
  }
});

test("the CLI's bundle carries zod's English messages only, not its 60-odd other locales", () => {
  // Under esbuild, `import { z } from "zod"` kept every locale (368 KB of a 758 KB chunk),
  // all of it parsed at every command's start. Each locale module holds one
  // `localeError: error()`, whatever the bundler renames `error` to.
  const dir = fileURLToPath(new URL("../../dist/bundle/cli/chunks/", import.meta.url));
  const text = readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), "utf8"))
    .join("\n");
  assert.equal([...text.matchAll(/localeError:\s*[\w$]+\(\)/g)].length, 1, "one locale");
  assert.match(text, /Invalid input: expected/, "and it is English");
});
// module.enableCompileCache() exists from Node 22.1; on Node 20 there is nothing to check.
const compileCache = typeof ((await import("node:module")) as { enableCompileCache?: unknown }).enableCompileCache === "function";

test("on Node 22+, the CLI keeps V8's compiled code for its next start; importing the library writes none", { skip: !compileCache && "module.enableCompileCache needs Node 22.1+" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "cp-compile-cache-"));
  try {
    // Where Node keeps it by default: os.tmpdir(), so TMPDIR, for each process its own.
    const envWithTemp = (name: string) => {
      mkdirSync(join(dir, name));
      return { PATH: process.env.PATH ?? "", CODEX_PROVIDER_HOME: join(dir, "home"), TMPDIR: join(dir, name) };
    };
    // The library is a guest in its user's process: what Node caches there is theirs to decide.
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const imported = spawnSync(process.execPath, ["--input-type=module", "-e", 'await import("codex-provider")'], { cwd: root, env: envWithTemp("library"), encoding: "utf8" });
    assert.equal(imported.status, 0, imported.stderr);
    assert.deepEqual(readdirSync(join(dir, "library")), []);
    const run = spawnSync(process.execPath, [join(root, "bin/codex-provider.js"), "config", "show"], { env: envWithTemp("cli"), encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(readdirSync(join(dir, "cli", "node-compile-cache"), { recursive: true }).length > 1, "the CLI wrote its compile cache");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
