// A broken or hostile upstream cannot make the client buffer without bound: an endless
// SSE line, an event of endless data lines, an endless JSON body and an endless error
// body each end at once with a typed error (or, for error bodies, a short excerpt),
// and the upstream sees its connection closed instead of being read to the end.
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ProviderError } from "#src/errors.js";
import { createProvider } from "#src/providers/registry.js";
import { loadParser, SseDecoder } from "#src/transport/sse.js";
import { runCli } from "../support/cli.js";
import { startFlood } from "../support/flood.js";

const MiB = 1024 * 1024;

/** An endless `data:` line: the shape that reached 1.9 GB RSS before the bound. */
const ENDLESS_LINE = { contentType: "text/event-stream", head: 'event: response.output_text.delta\ndata: {"delta":"', filler: "x" };

function provider(url: string, maxEventBytes?: number) {
  return createProvider({ provider: "openai", apiKey: "sk-test-bounded-0000000000", baseUrl: `${url}/v1`, env: {}, retry: { maxRetries: 2 }, maxEventBytes, idleTimeoutMs: 120_000 });
}

function isProtocolError(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ProviderError, String(error));
    assert.equal(error.code, "protocol_error", error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

test("SseDecoder: a line or an event past the bound is a protocol_error; events before it still arrive", async () => {
  await loadParser();
  const seen: string[] = [];
  const drain = async (parts: string[]) => {
    const decoder = new SseDecoder(1024);
    for (const part of parts) {
      seen.push(...decoder.feed(Buffer.from(part)).map((m) => m.data));
      if (decoder.failure) throw decoder.failure;
    }
    seen.push(...decoder.end().map((m) => m.data));
    if (decoder.failure) throw decoder.failure;
  };
  await assert.rejects(drain(["data: ok\n\ndata: ", "y".repeat(600), "y".repeat(600)]), isProtocolError(/larger than 1 KiB/));
  assert.deepEqual(seen, ["ok"]);
  // Many short data lines without the blank line that ends the event.
  await assert.rejects(drain(Array.from({ length: 300 }, () => "data: 12345\n")), isProtocolError(/larger than 1 KiB/));
  // Exactly at the bound is fine.
  seen.length = 0;
  await drain([`data: ${"z".repeat(1024)}\n\n`]);
  assert.equal(seen[0].length, 1024);
});

test("an endless SSE line fails at once with protocol_error (default 16 MiB bound), is not retried, and the connection is dropped", async () => {
  const flood = await startFlood({ ...ENDLESS_LINE, capBytes: 512 * MiB });
  try {
    await assert.rejects(provider(flood.url).complete({ input: "hi", model: "gpt-5.5" }), isProtocolError(/larger than 16 MiB/));
    await flood.closed(1);
    assert.equal(flood.sent.length, 1, "a protocol error is not retried");
    // Only what fits the bound plus what was in flight was read (socket buffers, 16 queued chunks).
    assert.ok(flood.sent[0] < 64 * MiB, `${flood.sent[0]} bytes sent before the client hung up`);
  } finally {
    await flood.close();
  }
});

test("maxEventBytes is configurable", async () => {
  const flood = await startFlood({ ...ENDLESS_LINE, capBytes: 512 * MiB });
  try {
    await assert.rejects(provider(flood.url, MiB).complete({ input: "hi", model: "gpt-5.5" }), isProtocolError(/larger than 1 MiB/));
    await flood.closed(1);
    assert.ok(flood.sent[0] < 32 * MiB, `${flood.sent[0]} bytes sent`);
  } finally {
    await flood.close();
  }
});

test("an endless JSON body (model list) is a protocol_error, not unbounded buffering", async () => {
  const flood = await startFlood({ contentType: "application/json", head: '{"data":[{"id":"', filler: "m", capBytes: 512 * MiB });
  try {
    await assert.rejects(provider(flood.url).listModels(), isProtocolError(/response from http:\/\/127\.0\.0\.1:\d+\/v1\/models is larger than 16 MiB/));
    await flood.closed(1);
    assert.ok(flood.sent[0] < 64 * MiB, `${flood.sent[0]} bytes sent`);
  } finally {
    await flood.close();
  }
});

test("a huge error body is classified from a short excerpt; the rest is never read", async () => {
  const flood = await startFlood({ status: 400, contentType: "text/html", head: "<html><body>Request rejected by the gateway ", filler: "<p>padding</p>", capBytes: 512 * MiB });
  try {
    await assert.rejects(provider(flood.url).complete({ input: "hi", model: "gpt-5.5" }), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.status, 400);
      assert.match(error.message, /Request rejected by the gateway/);
      assert.ok(error.message.length < 400, `message of ${error.message.length} chars`);
      return true;
    });
    await flood.closed(1);
    assert.ok(flood.sent[0] < 32 * MiB, `${flood.sent[0]} bytes sent`);
  } finally {
    await flood.close();
  }
});

test("CLI: an endless line ends `ask` with exit 5 and a protocol message, long before the idle timeout", async () => {
  const flood = await startFlood({ ...ENDLESS_LINE, capBytes: 512 * MiB });
  try {
    const run = await runCli(["ask", "hi"], {
      env: {
        CODEX_PROVIDER_HOME: await mkdtemp(join(tmpdir(), "cp-bounded-")),
        CODEX_PROVIDER_API_URL: `${flood.url}/v1`,
        OPENAI_API_KEY: "sk-test-bounded-0000000000",
        CODEX_PROVIDER_MAX_EVENT_BYTES: String(2 * MiB),
        CODEX_PROVIDER_IDLE_TIMEOUT_MS: "600000",
      },
      timeoutMs: 120_000,
    });
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, /larger than 2 MiB/);
    assert.equal(flood.sent.length, 1);
  } finally {
    await flood.close();
  }
});
