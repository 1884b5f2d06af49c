// The CLI as a user runs it: real child processes against the emulator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { startEmulator } from "#src/emulator/index.js";
import { VERSION } from "#src/version.js";
import { BIN, platformEnv as envFor, runCli } from "../support/cli.js";

test("ask streams the answer to stdout and usage to stderr; exit 0", async () => {
  const emu = await startEmulator();
  try {
    const run = await runCli(["ask", "Say hello"], { env: await envFor(emu) });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Say hello/);
    assert.match(run.stderr, /tokens: \d+ in \(\d+ cached\) · \d+ out \(\d+ reasoning\) · \d+ total/);
    assert.ok(!run.stdout.includes(emu.apiKey) && !run.stderr.includes(emu.apiKey));
  } finally {
    await emu.close();
  }
});

test("ask - reads the prompt from stdin; --model, --reasoning and --instructions reach the wire", async () => {
  const emu = await startEmulator();
  try {
    const run = await runCli(["ask", "-m", "gpt-5.4-mini", "-r", "high", "-i", "Be brief", "-"], { env: await envFor(emu), stdin: "from stdin\n" });
    assert.equal(run.code, 0, run.stderr);
    const body = emu.requests.find((r) => r.path === "/v1/responses")!.body as Record<string, any>;
    assert.equal(body.model, "gpt-5.4-mini");
    assert.deepEqual(body.reasoning, { effort: "high", summary: "auto" });
    assert.equal(body.instructions, "Be brief");
    assert.equal(body.input[0].content[0].text, "from stdin\n");
    assert.equal(body.stream, true);
  } finally {
    await emu.close();
  }
});

test("ask --json prints one parseable JSON event per line, ending with done", async () => {
  const emu = await startEmulator();
  try {
    const run = await runCli(["ask", "--json", "hi"], { env: await envFor(emu) });
    assert.equal(run.code, 0, run.stderr);
    const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.ok(events.some((e) => e.type === "text_delta"));
    assert.equal(events.at(-1).type, "done");
    assert.ok(events.at(-1).result.usage.totalTokens > 0);
  } finally {
    await emu.close();
  }
});

test("exit codes: 2 bad usage, 3 no credential, 4 limit, 5 server failure; errors are short and name the fix", async () => {
  const emu = await startEmulator();
  try {
    const env = await envFor(emu);
    const badFlag = await runCli(["ask", "--bogus", "hi"], { env });
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /--bogus/);
    const badEffort = await runCli(["ask", "-r", "extreme", "hi"], { env });
    assert.equal(badEffort.code, 2);
    assert.equal((await runCli(["ask"], { env })).code, 2);
    assert.equal((await runCli(["nope"], { env })).code, 2);

    const noKey = await runCli(["ask", "hi"], { env: { ...env, OPENAI_API_KEY: undefined } });
    assert.equal(noKey.code, 3);
    assert.match(noKey.stderr, /OPENAI_API_KEY/);
    assert.ok(noKey.stderr.split("\n").filter(Boolean).length <= 2, noKey.stderr);

    const wrongKey = await runCli(["ask", "hi"], { env: { ...env, OPENAI_API_KEY: "sk-proj-definitelynotvalid000000" } });
    assert.equal(wrongKey.code, 3);
    assert.ok(!wrongKey.stderr.includes("definitelynotvalid"));

    emu.setFault({ name: "usage_limit", times: 1 });
    const quota = await runCli(["ask", "hi"], { env });
    assert.equal(quota.code, 4);
    assert.match(quota.stderr, /Quota exceeded/);

    emu.setFault({ name: "server_error", times: 100 });
    const server = await runCli(["ask", "hi"], { env, timeoutMs: 60_000 });
    emu.clearFaults();
    assert.equal(server.code, 5);
    assert.match(server.stderr, /retry 1/);
  } finally {
    await emu.close();
  }
});

test("nothing listening is a network error (exit 5) that names the address", async () => {
  const run = await runCli(["ask", "hi"], {
    env: { CODEX_PROVIDER_API_URL: "http://127.0.0.1:9/v1", OPENAI_API_KEY: "sk-proj-aaaaaaaaaaaaaaaaaaaa", CODEX_PROVIDER_HOME: await mkdtemp(join(tmpdir(), "cp-cli-")) },
    timeoutMs: 60_000,
  });
  assert.equal(run.code, 5);
  assert.match(run.stderr, /127\.0\.0\.1:9/);
});

test("models lists and --json prints an array", async () => {
  const emu = await startEmulator();
  try {
    const env = await envFor(emu);
    const plain = await runCli(["models"], { env });
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(plain.stdout.trim().split("\n").length > 1);
    const json = JSON.parse((await runCli(["models", "--json"], { env })).stdout);
    assert.ok(Array.isArray(json) && json.every((m: { id: string }) => typeof m.id === "string"));
  } finally {
    await emu.close();
  }
});

test("--version, --help and per-command help", async () => {
  const version = await runCli(["--version"]);
  assert.equal(version.stdout.trim(), VERSION);
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  for (const name of ["ask", "models", "emulator", "login", "status"]) assert.match(help.stdout, new RegExp(`\\b${name}\\b`));
  const askHelp = await runCli(["ask", "--help"]);
  assert.match(askHelp.stdout, /--reasoning/);
  assert.match(askHelp.stdout, /Examples:/);
});

test("emulator command prints its URLs and serves until interrupted", async () => {
  const child = spawn(process.execPath, [BIN, "emulator", "--json", "--quiet"], { stdio: ["ignore", "pipe", "pipe"] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0]);
    });
    child.on("exit", () => reject(new Error("emulator exited early")));
  });
  const info = JSON.parse(line);
  assert.match(info.CODEX_PROVIDER_API_URL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  const res = await fetch(`${info.CODEX_PROVIDER_API_URL}/models`, { headers: { authorization: `Bearer ${info.OPENAI_API_KEY}` } });
  assert.equal(res.status, 200);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  assert.equal(await exited, 0);
});

test("emulator --port on a busy port is a usage error naming the port", async () => {
  const emu = await startEmulator();
  try {
    const port = new URL(emu.url).port;
    const run = await runCli(["emulator", "--port", port]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`Port ${port} is already in use`));
  } finally {
    await emu.close();
  }
});

test("ask --json-schema sends text.format and prints JSON; a bad schema file is a usage error", async () => {
  const emu = await startEmulator();
  try {
    const env = await envFor(emu);
    const dir = await mkdtemp(join(tmpdir(), "cp-schema-"));
    const schemaPath = join(dir, "person.schema.json");
    await writeFile(schemaPath, JSON.stringify({ type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name", "age"] }));
    const run = await runCli(["ask", "--json-schema", schemaPath, "Invent a person"], { env });
    assert.equal(run.code, 0, run.stderr);
    const person = JSON.parse(run.stdout);
    assert.equal(typeof person.name, "string");
    assert.equal(typeof person.age, "number");
    const body = emu.requests.find((r) => r.path === "/v1/responses")!.body as Record<string, any>;
    assert.deepEqual(body.text.format, { type: "json_schema", name: "person", schema: JSON.parse(await readFile(schemaPath, "utf8")), strict: false });

    await writeFile(schemaPath, "{ not json");
    const bad = await runCli(["ask", "--json-schema", schemaPath, "hi"], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /person\.schema\.json is not valid JSON/);
  } finally {
    await emu.close();
  }
});
