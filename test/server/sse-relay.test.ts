// How `serve` relays a Responses stream from a Responses upstream, read off a raw
// socket so the HTTP framing is visible: the events of one upstream write leave in a
// single HTTP chunk (not one chunk and one write per event), and every event the server
// does not change is forwarded byte for byte as the upstream wrote it (its spacing and
// escapes included, and an event whose JSON spans several `data:` lines). A failure event
// before any other is not relayed in a 200: the client gets the failure's status.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createServer, type LocalServer } from "#src/server/index.js";

const LOCAL_KEY = "sse-relay-local-key-0123456789abcdef";
const FAIL_FIRST = "fail before anything";
const NO_EVENT_LINES = "data lines only";
const FAILING_STREAM = 'event: error\ndata: {"type":"error","sequence_number":0,"code":"invalid_prompt","message":"The prompt was refused.","param":null}\n\n';
const DELTAS = 20;
/** `keep:<id>:<characters of output text>:<terminal|items>`: a stream whose output sits in the terminal event or only in `output_item.done`. */
const KEEP = /keep:(\w+):(\d+):(terminal|items)/;
const STORE_LIMIT = 4096;

/** Upstream data lines as written: odd spacing and a \u escape that JSON.stringify would not reproduce. */
function upstreamStream(): { body: string; deltaLines: string[] } {
  const deltaLines: string[] = [];
  const parts = [
    'event: response.created\ndata: {"type":"response.created", "sequence_number":0, "response":{"id":"resp_relay","object":"response","model":"gpt-5.5","status":"in_progress","output":[]}}\n\n',
    // Pretty-printed over three data lines; the SSE parser joins them with \n.
    'event: response.output_item.added\ndata: {"type":"response.output_item.added","sequence_number":1,\ndata:  "output_index":0,\ndata:  "item":{"id":"msg_1","type":"message","role":"assistant","status":"in_progress","content":[]}}\n\n',
  ];
  let text = "";
  for (let i = 0; i < DELTAS; i++) {
    const line = `data: {"type":"response.output_text.delta",  "sequence_number":${i + 2}, "item_id":"msg_1","output_index":0,"content_index":0,"delta":"caf\\u00e9 ${i} "}`;
    deltaLines.push(line);
    parts.push(`event: response.output_text.delta\n${line}\n\n`);
    text += `café ${i} `;
  }
  const item = { id: "msg_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text, annotations: [] }] };
  const response = { id: "resp_relay", object: "response", model: "gpt-5.5", status: "completed", output: [item], usage: { input_tokens: 3, output_tokens: DELTAS, total_tokens: 3 + DELTAS } };
  parts.push(`event: response.output_item.done\ndata: ${JSON.stringify({ type: "response.output_item.done", sequence_number: DELTAS + 2, output_index: 0, item })}\n\n`);
  parts.push(`event: response.completed\ndata: ${JSON.stringify({ type: "response.completed", sequence_number: DELTAS + 3, response })}\n\n`);
  return { body: parts.join(""), deltaLines };
}

/** A short stream whose answer is `size` characters, carried by the terminal event or (as the ChatGPT backend does) only by `output_item.done`. */
function keptStream(id: string, size: number, where: string): string {
  const item = { id: "msg_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "k".repeat(size), annotations: [] }] };
  const response = (status: string, output: unknown[]) => ({ id, object: "response", model: "gpt-5.5", status, output, usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } });
  const events = [
    { type: "response.created", sequence_number: 0, response: response("in_progress", []) },
    { type: "response.output_item.done", sequence_number: 1, output_index: 0, item },
    { type: "response.completed", sequence_number: 2, response: response("completed", where === "terminal" ? [item] : []) },
  ];
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join("");
}

/** A POST over a raw socket (Connection: close): the status line and headers, the body as sent, and a chunked body as its chunks. */
function rawPost(url: string, path: string, body: string): Promise<{ head: string; raw: string; chunks: string[] }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    socket.on("data", (chunk) => received.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const bytes = Buffer.concat(received);
      const split = bytes.indexOf("\r\n\r\n");
      const head = bytes.subarray(0, split).toString("latin1");
      const chunks: string[] = [];
      const raw = bytes.subarray(split + 4).toString("utf8");
      let at = split + 4;
      for (;;) {
        const lineEnd = bytes.indexOf("\r\n", at);
        const size = Number.parseInt(bytes.subarray(at, lineEnd).toString("latin1"), 16);
        if (!size) break;
        chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size).toString("utf8"));
        at = lineEnd + 2 + size + 2;
      }
      resolve({ head, raw, chunks });
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${LOCAL_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

describe("serve relaying a Responses upstream's stream", () => {
  let upstream: Server;
  let server: LocalServer;
  let home: string;
  const stream = upstreamStream();

  before(async () => {
    upstream = createHttpServer((req, res) => {
      let request = "";
      req.on("data", (chunk: Buffer) => (request += chunk));
      req.on("end", () => {
        if (req.method === "GET" && req.url?.endsWith("/models")) {
          res.writeHead(200, { "content-type": "application/json" });
          return void res.end(JSON.stringify({ object: "list", data: [{ id: "gpt-5.5", object: "model", created: 0, owned_by: "openai" }] }));
        }
        res.writeHead(200, { "content-type": "text/event-stream" });
        // A stream that fails before its first Responses event.
        if (request.includes(FAIL_FIRST)) return void res.end(FAILING_STREAM);
        if (request.includes(NO_EVENT_LINES)) return void res.end(stream.body.replace(/^event: .*\n/gm, ""));
        const keep = KEEP.exec(request);
        if (keep) return void res.end(keptStream(keep[1], Number(keep[2]), keep[3]));
        // The whole stream in one write.
        res.end(stream.body);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    home = await mkdtemp(join(tmpdir(), "cp-sse-relay-"));
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
    server = await createServer({
      provider: "openai",
      providerOptions: { apiKey: "sk-test-sse-relay-0000", baseUrl: base },
      env: {},
      home,
      apiKey: LOCAL_KEY,
      port: 0,
      responseStore: { maxBytes: STORE_LIMIT },
    });
  });
  after(async () => {
    await server.close({ drainTimeoutMs: 0 });
    await new Promise((resolve) => upstream.close(resolve));
    await rm(home, { recursive: true, force: true });
  });

  it("sends the events of one upstream write in far fewer HTTP chunks than events, unchanged events byte for byte", async () => {
    const { head, chunks } = await rawPost(server.url, "/v1/responses", JSON.stringify({ model: "gpt-5.5", input: "hi", stream: true }));
    assert.match(head, /^HTTP\/1\.1 200 /);
    assert.match(head, /transfer-encoding: chunked/i);
    const body = chunks.join("");
    const events = body.split("\n\n").filter(Boolean);
    assert.equal(events.length, DELTAS + 4, body);
    // One chunk per event before; the upstream wrote everything at once, so (short of TCP splitting its write) one chunk now.
    assert.ok(chunks.length <= 2, `${chunks.length} HTTP chunks for ${events.length} events`);
    for (const line of stream.deltaLines) assert.ok(body.includes(`event: response.output_text.delta\n${line}\n\n`), `not forwarded as written: ${line}`);
  });

  it("forwards the whole upstream stream byte for byte, a multi-line event included", async () => {
    const { chunks } = await rawPost(server.url, "/v1/responses", JSON.stringify({ model: "gpt-5.5", input: "hi", stream: true }));
    assert.equal(chunks.join(""), stream.body);
  });

  it("names each event on an event: line when the upstream sent data lines only", async () => {
    const { chunks } = await rawPost(server.url, "/v1/responses", JSON.stringify({ model: "gpt-5.5", input: NO_EVENT_LINES, stream: true }));
    assert.equal(chunks.join(""), stream.body);
  });

  it("keeps a relayed response within the store's byte limit, counted from the upstream events its output came from", async () => {
    const kept = async (id: string) => (await fetch(`${server.url}/v1/responses/${id}`, { headers: { authorization: `Bearer ${LOCAL_KEY}` } })).status;
    for (const where of ["terminal", "items"]) {
      for (const stream of [true, false]) {
        const id = `resp_${where}_${stream}`;
        // Small: kept, its output whole. Large: its JSON is past the limit, so it must not be kept,
        // however small the terminal event that carried (or left out) its output.
        for (const [suffix, size] of [["small", 100], ["large", STORE_LIMIT]] as const) {
          const input = `keep:${id}_${suffix}:${size}:${where}`;
          const { head } = await rawPost(server.url, "/v1/responses", JSON.stringify({ model: "gpt-5.5", input, stream }));
          assert.match(head, /^HTTP\/1\.1 200 /);
        }
        assert.equal(await kept(`${id}_small`), 200, `${id}_small`);
        assert.equal(await kept(`${id}_large`), 404, `${id}_large`);
      }
    }
    const small = (await (await fetch(`${server.url}/v1/responses/resp_items_true_small`, { headers: { authorization: `Bearer ${LOCAL_KEY}` } })).json()) as {
      output: { content: { text: string }[] }[];
    };
    assert.equal(small.output[0].content[0].text, "k".repeat(100));
  });

  it("answers an upstream failure that comes before any event with its HTTP status, not a 200 with the event", async () => {
    const { head, raw } = await rawPost(server.url, "/v1/responses", JSON.stringify({ model: "gpt-5.5", input: FAIL_FIRST, stream: true }));
    assert.match(head, /^HTTP\/1\.1 400 /);
    assert.match(raw, /The prompt was refused\./);
  });
});
