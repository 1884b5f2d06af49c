// Every code block in the README runs as written, or is marked here as not runnable with
// the reason. TypeScript blocks are type-checked against the built package (imported by
// its name, "codex-provider") and run against the emulator; the Codex CLI recipe is run
// with the real Codex binary against the local server; shell blocks name real commands.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { startEmulator, type Emulator } from "#src/emulator/index.js";
import { createServer, type LocalServer } from "#src/index.js";
import { freePorts, signIn as codexSignIn } from "../support/codex.js";
import { ROOT, runCli } from "../support/cli.js";

const run = promisify(execFile);
const README = await readFile(join(ROOT, "README.md"), "utf8");

interface Block {
  lang: string;
  code: string;
  line: number;
}

const BLOCKS: Block[] = [...README.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1],
  code: m[2],
  line: README.slice(0, m.index).split("\n").length,
}));

/** Blocks that cannot run in a test, each with why; matched on their text. */
const NOT_RUNNABLE: Array<[RegExp, string]> = [
  [/^npm install && npm run demo/, "the README's two commands: CI runs both (bash .ci/run), test/cli/demo.test.ts runs the demo"],
  [/^printenv OPENAI_API_KEY \| codex-provider login/, "stores a real key; test/cli/login-openai.test.ts runs this command"],
  [/^codex-provider login --provider chatgpt /, "needs a browser and a ChatGPT account; test/auth/siwc/login.test.ts runs it against the emulator"],
  [/^codex-provider login --provider chatgpt-codex /, "needs a browser or device approval; test/auth/codex/*-login.test.ts run these against the emulator"],
  [/^OPENAI_API_KEY=sk-… codex-provider ask/, "a tour of commands with placeholders; each is covered by the CLI tests (test/cli/)"],
  [/^error: \/home\/me\//, "sample output, not a command"],
  [/^\d{4}-\d\d-\d\dT[\d:.]+Z POST \/v1\/responses/, "sample access-log lines, not a command; test/server/ checks their format"],
  [/^# ~\/\.codex-provider\/config\.toml/, "validated by test/config/readme-example.test.ts"],
  [/^codex-provider serve --provider chatgpt/, "long-running server on a fixed port; test/server/ runs it on a free port"],
  [/^export OPENAI_BASE_URL=/, "needs a running server; the openai SDK block after it is run here against one"],
  [/^codex-provider serve --provider chatgpt --claude-model/, "starts a server in the foreground; the Anthropic SDK block after it is run here against one"],
  [/^ANTHROPIC_BASE_URL=\S+ ANTHROPIC_API_KEY=.* claude\n/, "Claude Code's terminal UI; test/server/claude-code.test.ts runs `claude -p` with these two variables"],
  [/^src\/auth\/login\//, "a folder map, not code"],
  [/^codex-provider ask --fallback /, "reads a file at a real plan's limit; test/cli/fallback.test.ts runs ask --fallback against the emulator"],
  [/^export HTTPS_PROXY=/, "names a corporate proxy; test/transport/proxy.test.ts runs the same variables against a loopback proxy"],
];

function verdict(block: Block): string | undefined {
  return NOT_RUNNABLE.find(([pattern]) => pattern.test(block.code))?.[1];
}

const tsBlocks = BLOCKS.filter((b) => b.lang === "ts");
const find = (pattern: RegExp): Block => {
  const block = BLOCKS.find((b) => pattern.test(b.code));
  assert.ok(block, `README block matching ${pattern}`);
  return block;
};

describe("README code blocks", () => {
  let emu: Emulator;
  let home: string;
  let snippets: string;

  before(async () => {
    const ports = await freePorts(2);
    emu = await startEmulator({ auth: { codexRedirectPorts: ports } });
    home = await mkdtemp(join(tmpdir(), "cp-readme-"));
    await codexSignIn(emu, home, ports);
    // Inside the package, so "codex-provider" resolves to this build (self-reference) and
    // "ai", "zod" and "openai" to its node_modules.
    snippets = join(ROOT, "dist-test", "readme-snippets");
    await rm(snippets, { recursive: true, force: true });
    await mkdir(snippets, { recursive: true });
  });
  after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
    await rm(snippets, { recursive: true, force: true });
  });

  it("every block is either exercised below or marked not runnable with a reason", () => {
    const exercised = (b: Block) => b.lang === "ts" || b.code.includes("[model_providers.codex-provider]") || /^CODEX_PROVIDER_KEY=/.test(b.code);
    for (const block of BLOCKS) assert.ok(exercised(block) || verdict(block), `README.md:${block.line} (${block.lang || "no language"}) is neither run nor explained`);
  });

  it("every `codex-provider <command>` in a shell block is a real command", async () => {
    const help = (await runCli(["--help"])).stdout;
    const commands = BLOCKS.filter((b) => b.lang === "sh").flatMap((b) => [...b.code.matchAll(/codex-provider ([a-z][\w-]*)/g)].map((m) => m[1]));
    assert.ok(commands.length > 10);
    for (const command of new Set(commands)) assert.match(help, new RegExp(`^  ${command} `, "m"), `codex-provider ${command}`);
  });

  it("every TypeScript block type-checks against the package as installed", async () => {
    await writeFile(
      join(snippets, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true, types: ["node"] }, include: ["*.ts"] }),
    );
    for (const block of tsBlocks) await writeFile(join(snippets, `readme-${block.line}.ts`), block.code);
    const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", snippets], { cwd: snippets }).catch((error: { stdout: string }) => error);
    assert.equal("stdout" in result ? result.stdout : "", "", "tsc reports no errors");
  });

  /** Runs one TypeScript block (compiled by the test above) with `env`. */
  async function runBlock(block: Block, env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
    return run(process.execPath, [join(snippets, `readme-${block.line}.js`)], { env: { PATH: process.env.PATH ?? "", HOME: home, ...env }, timeout: 60_000 });
  }

  it("the Library block streams and completes against the emulator", async () => {
    const { stdout } = await runBlock(find(/const provider = createProvider\(\{ provider: "openai" \}\)/), { OPENAI_API_KEY: emu.apiKey, CODEX_PROVIDER_API_URL: emu.apiUrl });
    assert.match(stdout, /Hello from the emulator/);
  });

  it("the custom tool block makes a call and answers it", async () => {
    const { stdout } = await runBlock(find(/type: "custom", name: "grep"/), { OPENAI_API_KEY: emu.apiKey, CODEX_PROVIDER_API_URL: emu.apiUrl });
    assert.match(stdout, /^custom \S/);
  });

  it("the onNotice and custom-provider blocks run", async () => {
    await runBlock(find(/onNotice: \(notice\)/), { CODEX_PROVIDER_HOME: home });
    await runBlock(find(/const local = createProvider/), { CODEX_PROVIDER_HOME: home });
  });

  it("the fallback block moves to openai when chatgpt-codex hits its usage limit", async () => {
    emu.setFault({ name: "usage_limit" });
    const { stdout, stderr } = await runBlock(find(/fallback: \["chatgpt-codex", \{ provider: "openai"/), {
      CODEX_PROVIDER_HOME: home,
      CODEX_PROVIDER_AUTH_URL: emu.authUrl,
      CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl,
      CODEX_PROVIDER_API_URL: emu.apiUrl,
      OPENAI_API_KEY: emu.apiKey,
    });
    assert.match(stdout, /^\[chatgpt-codex -> openai\]\nHello from the emulator/);
    assert.match(stderr, /usage limit reached on chatgpt-codex .*; continuing on openai with gpt-5\.4\./);
    // Leave the shared home as the other blocks expect it.
    await rm(join(home, "fallback-windows.json"), { force: true });
  });

  it("the AI SDK block runs its tool loop on chatgpt-codex", async () => {
    const before = emu.requests.length;
    await runBlock(find(/createCodexProvider\(\{ provider: "chatgpt-codex" \}\)/), {
      CODEX_PROVIDER_HOME: home,
      CODEX_PROVIDER_AUTH_URL: emu.authUrl,
      CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl,
    });
    const calls = emu.requests.slice(before).filter((r) => r.path.endsWith("/codex/responses"));
    assert.equal(calls.length, 2, "a tool call, then the answer");
    assert.ok(JSON.stringify(calls[1].body).includes("function_call_output"), "the tool's result went back");
  });

  describe("against the local server", () => {
    let server: LocalServer;
    const env = () => ({ CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey });
    before(async () => (server = await createServer({ env: env(), home, port: 0 })));
    after(() => server.close());

    it("the openai SDK block answers through the server", async () => {
      const { stdout } = await runBlock(find(/new OpenAI\(\)/), { OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: server.apiKey });
      assert.match(stdout, /Hello from the emulator/);
    });

    it("the conversation-state block chains turns on a stateless upstream (chatgpt-codex)", async () => {
      const codexEnv = { CODEX_PROVIDER_AUTH_URL: emu.authUrl, CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl };
      const stateless = await createServer({ provider: "chatgpt-codex", env: codexEnv, home, port: 0 });
      try {
        const before = emu.requests.length;
        const { stdout } = await runBlock(find(/previous_response_id: first\.id/), { OPENAI_BASE_URL: stateless.baseUrl, OPENAI_API_KEY: stateless.apiKey });
        assert.match(stdout, /You asked: "What is my name\?"/);
        assert.match(stdout, /^completed$/m);
        assert.match(stdout, /^message user$/m);
        const upstream = emu.requests.slice(before).filter((r) => r.path.endsWith("/codex/responses"));
        const last = upstream.at(-1)!.body as { input: unknown; previous_response_id?: unknown };
        assert.equal(last.previous_response_id, undefined);
        assert.match(JSON.stringify(last.input), /My name is Ada\./, "the second turn carried the first");
      } finally {
        await stateless.close();
      }
    });

    it("the Anthropic SDK block runs its tool loop through the server", async () => {
      const { stdout } = await runBlock(find(/new Anthropic\(\)/), { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: server.apiKey });
      assert.match(stdout, /^end_turn .*Hello from the emulator\. The tool returned: shipped/s);
    });

    it("the Codex CLI recipe works with the real codex binary (its config.toml verbatim but the port)", async () => {
      const recipe = parseToml(find(/\[model_providers\.codex-provider\]/).code) as { model_providers: Record<string, { base_url: string }> };
      recipe.model_providers["codex-provider"].base_url = server.baseUrl;
      const codexHome = await mkdtemp(join(tmpdir(), "cp-readme-codex-"));
      try {
        await writeFile(join(codexHome, "config.toml"), stringifyToml(recipe));
        assert.match(find(/^CODEX_PROVIDER_KEY=/).code, /^CODEX_PROVIDER_KEY="\$\(codex-provider serve --print-key\)" codex$/m);
        // `codex exec` is the recipe's `codex` without the terminal UI; nothing else is added.
        const codex = join(dirname(createRequire(import.meta.url).resolve("@openai/codex/package.json")), "bin", "codex.js");
        const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(process.execPath, [codex, "exec", "--json", "--ephemeral", "--skip-git-repo-check", "say hi"], {
            cwd: codexHome,
            env: { PATH: process.env.PATH ?? "", HOME: codexHome, CODEX_HOME: codexHome, CODEX_PROVIDER_KEY: server.apiKey },
            stdio: ["ignore", "pipe", "pipe"],
          });
          let out = "";
          child.stdout.on("data", (d) => (out += d));
          child.stderr.on("data", (d) => (out += d));
          const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
          child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, out });
          });
        });
        assert.equal(result.code, 0, result.out);
        assert.match(result.out, /Hello from the emulator/);
      } finally {
        await rm(codexHome, { recursive: true, force: true });
      }
    });
  });
});
