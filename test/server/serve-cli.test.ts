// `codex-provider serve` as a real process: --print-key, the --json connection
// details, an SDK request through it, the access log, and Ctrl-C (SIGINT) draining.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { type Emulator, startEmulator } from "#src/emulator/index.js";
import { BIN } from "../support/cli.js";
import { startServe } from "./serve-process.js";


describe("codex-provider serve", () => {
  let emulator: Emulator;
  let home: string;
  let env: Record<string, string>;
  before(async () => {
    emulator = await startEmulator();
    home = await mkdtemp(join(tmpdir(), "codex-provider-serve-"));
    env = { PATH: process.env.PATH ?? "", HOME: home, CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: emulator.apiUrl, OPENAI_API_KEY: emulator.apiKey, NO_COLOR: "1" };
  });
  after(async () => {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
  });

  async function printKey(): Promise<string> {
    const child = spawn(process.execPath, [BIN, "serve", "--print-key"], { env });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk));
    const [code] = await once(child, "close");
    assert.equal(code, 0);
    return out.trim();
  }

  it("prints a stable key, serves requests, logs them, and drains on SIGINT", async () => {
    const key = await printKey();
    assert.equal(await printKey(), key);

    const serve = await startServe(["--json"], env);
    const details = serve.details!;
    assert.match(details.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.equal(details.provider, "openai");
    assert.equal(details.env.OPENAI_BASE_URL, details.baseUrl);
    assert.match(details.codexConfig, /wire_api = "responses"\nenv_key = "CODEX_PROVIDER_KEY"/);
    assert.ok(!serve.stdout().includes(key), "the key is not printed with the connection details");

    const client = new OpenAI({ baseURL: details.baseUrl, apiKey: key, maxRetries: 0 });
    const stream = await client.responses.create({ model: "gpt-5.5", input: "from the cli", stream: true });
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    assert.equal(text, 'Hello from the emulator. You asked: "from the cli"');

    assert.equal(await serve.stop("SIGINT"), 0);
    const stderr = serve.stderr();
    const log = stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
    const entry = log.find((e) => e.path === "/v1/responses");
    assert.equal(entry?.status, 200);
    assert.equal(entry?.model, "gpt-5.5");
    assert.ok(entry.outputTokens > 0);
    assert.ok(!stderr.includes(key) && !stderr.includes(emulator.apiKey) && !stderr.includes("from the cli"));
  });
  it("takes the response store settings: --responses-store-max and --responses-store-hours", async () => {
    const key = await printKey();
    const serve = await startServe(["--json", "--responses-store-max", "1", "--responses-store-hours", "2"], env);
    const client = new OpenAI({ baseURL: serve.details!.baseUrl, apiKey: key, maxRetries: 0 });
    const first = await client.responses.create({ model: "gpt-5.5", input: "one" });
    const second = await client.responses.create({ model: "gpt-5.5", input: "two" });
    // A count limit of one: the first is evicted, the second kept (and on disk, by the hours setting).
    await assert.rejects(client.responses.retrieve(first.id), OpenAI.NotFoundError);
    assert.equal((await client.responses.retrieve(second.id)).id, second.id);
    assert.equal(await serve.stop("SIGINT"), 0);
    // Its claim on the directory went with it.
    const [scope, ...others] = await readdir(join(home, "responses"));
    assert.deepEqual(others, []);
    assert.deepEqual(await readdir(join(home, "responses", scope)), [`${second.id}.json`]);
  });

  it("keeps one server at a time on the response files of a state directory and key: a second is told which process has them", async () => {
    const key = await printKey();
    const first = await startServe(["--json", "--responses-store-hours", "1"], env);
    // Stopped on the way out whatever happens: a leftover would hold the files for the tests after.
    let firstStopped: Promise<number | null> | undefined;
    try {
      const kept = await new OpenAI({ baseURL: first.baseUrl, apiKey: key, maxRetries: 0 }).responses.create({ model: "gpt-5.5", input: "keep this" });

      const second = spawn(process.execPath, [BIN, "serve", "--port", "0", "--responses-store-hours", "1"], { env });
      let stderr = "";
      second.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
      const [code] = await once(second, "close");
      assert.equal(code, 2, stderr);
      assert.match(stderr, new RegExp(`another server keeps its responses there: process ${first.pid} on this host`));
      assert.match(stderr, /--responses-store-hours 0/);

      // Kept in memory, it can run beside the first.
      const memoryOnly = await startServe(["--responses-store-hours", "0"], env);
      assert.equal(await memoryOnly.stop("SIGINT"), 0);

      // A killed server's claim does not outlive it: the next one takes the files over.
      await (firstStopped = first.stop("SIGKILL"));
      const next = await startServe(["--json", "--responses-store-hours", "1"], env);
      try {
        const client = new OpenAI({ baseURL: next.baseUrl, apiKey: key, maxRetries: 0 });
        assert.equal((await client.responses.retrieve(kept.id)).output_text, 'Hello from the emulator. You asked: "keep this"');
      } finally {
        assert.equal(await next.stop("SIGINT"), 0);
      }
    } finally {
      await (firstStopped ?? first.stop("SIGKILL"));
    }
  });
});
