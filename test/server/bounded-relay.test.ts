// `serve` relaying three endless upstream lines at once stays small: each relay fails
// with a 502 once its line passes the default 16 MiB bound, and the serve process's
// peak RSS (VmHWM, read from /proc) stays under 300 MB. Before the bound it buffered
// every line until the upstream stopped (2.26 GB for three 800 MB lines).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BIN } from "../support/cli.js";
import { startFlood } from "../support/flood.js";

const MiB = 1024 * 1024;

function peakRssMiB(pid: number): number {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  assert.ok(kib, "VmHWM missing from /proc status");
  return Number(kib) / 1024;
}

async function runToEnd(command: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...command], { env });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk));
  const [code] = await once(child, "close");
  assert.equal(code, 0);
  return out.trim();
}

test("serve under three endless upstream lines at once stays under 300 MB RSS", { skip: process.platform === "linux" ? false : "reads /proc" }, async (t) => {
  // Each line is capped at 150 MiB so that an unbounded relay ends (and fails the RSS bound) instead of hanging.
  const flood = await startFlood({ contentType: "text/event-stream", head: 'data: {"type":"response.output_text.delta","delta":"', filler: "x", capBytes: 150 * MiB });
  const home = await mkdtemp(join(tmpdir(), "cp-bounded-serve-"));
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    CODEX_PROVIDER_HOME: home,
    CODEX_PROVIDER_API_URL: `${flood.url}/v1`,
    OPENAI_API_KEY: "sk-test-bounded-relay-000000",
    CODEX_PROVIDER_MAX_RETRIES: "0",
    NO_COLOR: "1",
  };
  const key = await runToEnd(["serve", "--print-key"], env);
  const serve = spawn(process.execPath, [BIN, "serve", "--json", "--port", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
  try {
    let stdout = "";
    const details = await new Promise<{ baseUrl: string }>((resolve, reject) => {
      serve.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk;
        if (stdout.includes("\n")) resolve(JSON.parse(stdout.split("\n")[0]));
      });
      serve.once("close", () => reject(new Error("serve exited early")));
    });
    const before = peakRssMiB(serve.pid!);
    const relay = async () => {
      const response = await fetch(`${details.baseUrl}/responses`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-5.5", input: "hi", stream: true }),
      });
      return { status: response.status, body: await response.text() };
    };
    const results = await Promise.all([relay(), relay(), relay()]);
    await flood.closed(3);
    const peak = peakRssMiB(serve.pid!);
    t.diagnostic(`serve VmHWM ${before.toFixed(0)} MiB at start, ${peak.toFixed(0)} MiB after three endless lines; upstream wrote ${flood.sent.map((n) => (n / MiB).toFixed(0)).join(", ")} MiB`);
    assert.ok(peak < 300, `serve peaked at ${peak.toFixed(0)} MiB`);
    for (const { status, body } of results) {
      assert.equal(status, 502, body);
      assert.match(body, /larger than 16 MiB/);
    }
  } finally {
    serve.kill("SIGKILL");
    await flood.close();
    await rm(home, { recursive: true, force: true });
  }
});
