// pipeEvents(): a stream's events handed over a batch at a time, pushed from the HTTP
// client's callbacks as the chunks arrive (what `serve` relays with). Against a real
// loopback upstream that writes each event on its own, through both HTTP clients and
// both stream modes: order and completeness, backpressure from a full handler, failures
// mid-stream, a retry before any content, an oversized event, and a handler that throws.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createProvider } from "#src/providers/registry.js";
import type { Provider } from "#src/providers/provider.js";
import { pipeEvents } from "#src/transport/response-stream.js";
import type { StreamEvent } from "#src/types.js";
import type { HttpClientChoice } from "#src/transport/http.js";

const DELTAS = 12;

function events(id: string): string[] {
  const response = (status: string) => ({ id, object: "response", model: "gpt-5.5", status, output: [], usage: { input_tokens: 3, output_tokens: DELTAS, total_tokens: 3 + DELTAS } });
  const wire: Record<string, unknown>[] = [{ type: "response.created", response: response("in_progress") }];
  for (let i = 0; i < DELTAS; i++) wire.push({ type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: `w${i} ` });
  wire.push({ type: "response.completed", response: response("completed") });
  return wire.map((event, n) => `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: n })}\n\n`);
}

/** Writes each block on its own, a loop turn apart, as the API streams; `stop` ends early (a cut, or a stall). */
function pace(res: ServerResponse, blocks: string[], stop?: { after: number; then: "cut" | "stall" }): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  let n = 0;
  const next = () => {
    if (res.destroyed) return;
    if (stop && n === stop.after) {
      if (stop.then === "cut") res.socket?.destroy();
      return;
    }
    if (n === blocks.length) return void res.end();
    res.write(blocks[n++]);
    setImmediate(next);
  };
  next();
}

describe("pipeEvents: batches pushed as the upstream's chunks arrive", () => {
  let upstream: Server;
  let home: string;
  let base: string;
  let requests = 0;
  /** `x-call` ids already seen (cut-first cuts a call's first attempt only). */
  const calls = new Set<string>();
  /** Resolves when the upstream sees a request's connection close before its answer ended. */
  let closedEarly: Promise<void> = Promise.resolve();
  before(async () => {
    upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
      requests += 1;
      req.resume();
      const mode = String(req.headers["x-mode"] ?? "paced");
      const blocks = events(`resp_${requests}`);
      if (mode === "paced") return pace(res, blocks);
      if (mode === "burst") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        return void res.end(blocks.join(""));
      }
      if (mode === "cut-after-content") return pace(res, blocks, { after: 4, then: "cut" });
      // The first attempt is cut after its headers (whose rate limits are the first batch) and before any
      // event; the retry is answered in full.
      if (mode === "cut-first") {
        const call = String(req.headers["x-call"]);
        if (calls.has(call)) return pace(res, blocks);
        calls.add(call);
        res.writeHead(200, { "content-type": "text/event-stream", "x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "499" });
        res.flushHeaders();
        return void setTimeout(() => res.socket?.destroy(), 20);
      }
      // An event that never ends, a piece per write: what the bound on an unfinished event is for.
      if (mode === "oversized") return pace(res, [blocks[0], 'event: response.output_text.delta\ndata: {"delta":"', ...Array<string>(8).fill("x".repeat(512)), ...blocks.slice(1)]);
      if (mode === "stall") {
        closedEarly = new Promise((resolve) => res.on("close", () => !res.writableFinished && resolve()));
        return pace(res, blocks, { after: 3, then: "stall" });
      }
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
    home = await mkdtemp(join(tmpdir(), "cp-pipe-events-"));
  });
  after(async () => {
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
    await rm(home, { recursive: true, force: true });
  });

  const provider = (httpClient: HttpClientChoice): Provider =>
    createProvider({ provider: "openai", apiKey: "sk-test-pipe-events-0000", baseUrl: base, env: {}, home, httpClient, maxEventBytes: 2048, retry: { baseDelayMs: 1, maxDelayMs: 5 } });

  const body = { model: "gpt-5.5", input: [{ role: "user", content: "Count." }], stream: true };

  for (const httpClient of ["undici", "node"] as const) {
    for (const rawEvents of ["sse", false] as const) {
      it(`${httpClient}, ${rawEvents === "sse" ? "relay" : "decoded"} mode: every event in order, one batch per upstream chunk, and the result`, async () => {
        const stream = provider(httpClient).streamBody(body, { rawEvents, headers: { "x-mode": "paced" } });
        const batches: StreamEvent[][] = [];
        await pipeEvents(stream[Symbol.asyncIterator](), (batch) => void batches.push([...batch]));
        const all = batches.flat();
        if (rawEvents === "sse") {
          const text = Buffer.concat(all.flatMap((event) => (event.type === "sse" ? [event.bytes] : []))).toString("utf8");
          assert.equal(text, events(`resp_${requests}`).join(""));
          // Each event came in its own chunk: at least one batch per event (not all in one).
          assert.ok(batches.length >= DELTAS + 2, `${batches.length} batches`);
        } else {
          const text = all.map((event) => (event.type === "text_delta" ? event.delta : "")).join("");
          assert.equal(text, Array.from({ length: DELTAS }, (_, i) => `w${i} `).join(""));
        }
        assert.equal(all.at(-1)?.type, "done");
        const result = await stream.result();
        assert.equal(result.usage?.outputTokens, DELTAS);
      });
    }

    it(`${httpClient}: a handler that is full holds the next batch back until it drains`, async () => {
      const stream = provider(httpClient).streamBody(body, { rawEvents: "sse", headers: { "x-mode": "paced" } });
      let release: (() => void) | undefined;
      let batches = 0;
      let heldAt = -1;
      let seenWhileHeld = 0;
      const piping = pipeEvents(stream[Symbol.asyncIterator](), () => {
        batches += 1;
        if (release) seenWhileHeld += 1;
        if (batches !== 3) return undefined;
        heldAt = batches;
        return new Promise<void>((resolve) => (release = resolve));
      });
      // Long enough for the upstream to have written everything (it paces by loop turns only).
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(heldAt, 3);
      assert.equal(batches, 3, "nothing was handed over while the handler was full");
      const onRelease = release!;
      release = undefined;
      onRelease();
      await piping;
      assert.equal(seenWhileHeld, 0);
      assert.ok(batches > 3);
      assert.equal((await stream.result()).usage?.outputTokens, DELTAS);
    });

    it(`${httpClient}: a connection cut after content rejects the pipe (no retry, no hang)`, async () => {
      const before = requests;
      const stream = provider(httpClient).streamBody(body, { rawEvents: "sse", headers: { "x-mode": "cut-after-content" } });
      let delivered = 0;
      await assert.rejects(
        pipeEvents(stream[Symbol.asyncIterator](), (batch) => void (delivered += batch.length)),
        (error: Error & { code?: string }) => ["stream_truncated", "network_error"].includes(String(error.code)),
      );
      assert.ok(delivered >= 1);
      assert.equal(requests - before, 1, "content had gone out: no second request");
      await assert.rejects(stream.result());
    });

    it(`${httpClient}: a connection cut after the headers and before any content is retried, and the retry is piped`, async () => {
      const before = requests;
      const stream = provider(httpClient).streamBody(body, { rawEvents: "sse", headers: { "x-mode": "cut-first", "x-call": httpClient } });
      const seen: StreamEvent[] = [];
      await pipeEvents(stream[Symbol.asyncIterator](), (batch) => void seen.push(...batch));
      assert.equal(requests - before, 2);
      assert.deepEqual(
        seen.filter((event) => event.type === "rate_limits").map((event) => event.type === "rate_limits" && event.rateLimits.requests?.remaining),
        [499],
        "the first attempt's rate limits, once",
      );
      assert.equal(seen.at(-1)?.type, "done");
      assert.equal((await stream.result()).usage?.outputTokens, DELTAS);
    });

    it(`${httpClient}: an unfinished event past maxEventBytes fails the pipe with protocol_error after the events before it`, async () => {
      const stream = provider(httpClient).streamBody(body, { rawEvents: "sse", headers: { "x-mode": "oversized" } });
      let delivered = 0;
      await assert.rejects(
        pipeEvents(stream[Symbol.asyncIterator](), (batch) => void (delivered += batch.length)),
        (error: Error & { code?: string }) => error.code === "protocol_error",
      );
      assert.ok(delivered >= 1, "response.created went out first");
    });

    it(`${httpClient}: a handler that throws cancels the upstream call, and the pipe rejects with its error`, async () => {
      const stream = provider(httpClient).streamBody(body, { rawEvents: "sse", headers: { "x-mode": "stall" } });
      const broken = new Error("the client's socket is gone");
      let batches = 0;
      await assert.rejects(
        pipeEvents(stream[Symbol.asyncIterator](), () => {
          batches += 1;
          if (batches === 2) throw broken;
          return undefined;
        }),
        (error) => error === broken,
      );
      // The upstream saw the request's connection closed while its answer was still open.
      await closedEarly;
      await assert.rejects(stream.result());
    });
  }
});
