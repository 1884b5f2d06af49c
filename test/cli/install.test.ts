// Installing as a user would, offline: `npm pack`, then `npm install -g <tarball>` into a
// temporary prefix gives a working `codex-provider`. The dependencies come from a tiny
// registry on loopback that serves this checkout's own node_modules, so nothing leaves
// the machine. Also: `npm install` leaves the lockfile as committed.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { test } from "node:test";
import { startEmulator } from "#src/emulator/index.js";
import { VERSION } from "#src/version.js";
import { ROOT } from "../support/cli.js";

const run = promisify(execFile);
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const TIMEOUT_MS = 240_000;

/** npm's environment without the settings of an enclosing `npm test` or a proxy. */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_|^(https?|all)_proxy$/i.test(key)) env[key] = value;
  }
  return { ...env, NO_PROXY: "127.0.0.1,localhost", ...extra };
}

interface Packed {
  name: string;
  version: string;
  filename: string;
}

async function pack(dirs: string[], destination: string): Promise<Packed[]> {
  const { stdout } = await run(NPM, ["pack", "--ignore-scripts", "--json", "--pack-destination", destination, ...dirs], { cwd: ROOT, env: npmEnv(), timeout: TIMEOUT_MS });
  return JSON.parse(stdout) as Packed[];
}

/** The production dependencies in package-lock.json (installed flat at the top of node_modules). */
async function productionDependencies(): Promise<string[]> {
  const lock = JSON.parse(await readFile(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; optional?: boolean; peer?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith("node_modules/") && !path.slice(13).includes("node_modules/") && !entry.dev && !entry.optional && !entry.peer)
    .map(([path]) => join(ROOT, path));
}

/** A registry answering packuments and tarballs for the packed dependencies; anything else is 404. */
async function localRegistry(packages: Packed[], dir: string): Promise<{ url: string; server: Server; misses: string[] }> {
  const misses: string[] = [];
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname.slice(1));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const tarball = packages.find((p) => path === `-/${p.filename}`);
    if (tarball) return response.end(await readFile(join(dir, tarball.filename)));
    const versions = packages.filter((p) => p.name === path);
    if (versions.length === 0) {
      misses.push(path);
      response.writeHead(404).end("{}");
      return;
    }
    const manifests = await Promise.all(
      versions.map(async (p) => {
        const manifest = JSON.parse(await readFile(join(ROOT, "node_modules", p.name, "package.json"), "utf8")) as Record<string, unknown>;
        return [p.version, { name: p.name, version: p.version, dependencies: manifest.dependencies, bin: manifest.bin, dist: { tarball: `${base}/-/${p.filename}` } }];
      }),
    );
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ name: path, "dist-tags": { latest: versions[0].version }, versions: Object.fromEntries(manifests) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server, misses };
}

test("npm pack + npm install -g into a temporary prefix gives a working codex-provider", { timeout: TIMEOUT_MS * 2 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "cp-install-"));
  const registry = await localRegistry(await pack(await productionDependencies(), dir), dir);
  const emu = await startEmulator();
  try {
    const [own] = await pack([ROOT], dir);
    const prefix = join(dir, "prefix");
    await run(NPM, ["install", "-g", join(dir, own.filename), "--prefix", prefix, "--registry", registry.url, "--cache", join(dir, "cache"), "--no-audit", "--no-fund"], {
      env: npmEnv(),
      timeout: TIMEOUT_MS,
    });
    assert.deepEqual(registry.misses, [], "every dependency came from the local registry");
    const bin = process.platform === "win32" ? join(prefix, "codex-provider.cmd") : join(prefix, "bin", "codex-provider");
    const env = { ...process.env, CODEX_PROVIDER_HOME: join(dir, "home"), CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey, NO_COLOR: "1" };
    assert.equal((await run(bin, ["--version"], { env })).stdout, `${VERSION}\n`);
    assert.match((await run(bin, ["--help"], { env })).stdout, /Usage: codex-provider <command>/);
    assert.match((await run(bin, ["ask", "-p", "openai", "Say hello"], { env })).stdout, /Say hello/);
    const packed = await run("tar", ["-tzf", join(dir, own.filename)]);
    assert.match(packed.stdout, /^package\/LICENSE$/m);
    assert.doesNotMatch(packed.stdout, /^package\/(src|test|dist-test)\//m, "only the build and the bin are shipped");
  } finally {
    await emu.close();
    registry.server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("in a clone after npm install, npx codex-provider runs the project's own bin", { timeout: TIMEOUT_MS }, async () => {
  // --ignore-scripts: the first npx in a clone links the project into npx's cache and would
  // run its `prepare` (the build) again, rewriting dist/ under the tests running beside this one.
  const { stdout } = await run(NPM, ["exec", "--offline", "--ignore-scripts", "--", "codex-provider", "--version"], { cwd: ROOT, env: npmEnv(), timeout: TIMEOUT_MS });
  assert.equal(stdout, `${VERSION}\n`);
});

test("npm install leaves package-lock.json as committed (the lockfile matches package.json)", { timeout: TIMEOUT_MS }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "cp-lock-"));
  try {
    await mkdir(dir, { recursive: true });
    for (const file of ["package.json", "package-lock.json"]) await copyFile(join(ROOT, file), join(dir, file));
    await run(NPM, ["install", "--package-lock-only", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir, env: npmEnv(), timeout: TIMEOUT_MS });
    assert.equal(await readFile(join(dir, "package-lock.json"), "utf8"), await readFile(join(ROOT, "package-lock.json"), "utf8"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
