// Request bodies over real sockets. Malformed ones: a bad gzip body, invalid UTF-8, a body
// past the size limit (declared, chunked, or a small gzip that expands) and a client
// that goes away mid-body. Each is a 4xx in OpenAI's error shape (when the client is
// still there to read it), one access-log line, and never an "unexpected" error with
// a stack trace. Good ones, on one kept-alive connection, are read whole however their
// bytes arrive: with the headers, later, split, chunked, or two in one write. A body the
// provider's policy keeps goes upstream as the client's own bytes.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer as createHttpServer, request } from "node:http";
import { connect, type Socket } from "node:net";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { CODEX_DEFAULT_INSTRUCTIONS } from "#src/providers/chatgpt-codex.js";
import { listen } from "#src/server/listen.js";
import { readJsonBody } from "#src/server/request-body.js";
import { DeferredJson } from "#src/transport/deferred-json.js";
import { ServerError } from "#src/wire/server-error.js";
import { chatUpstream, startCodexStack, startStack, type Stack } from "./helpers.js";
import { eventually } from "../support/poll.js";
import { signIn as siwcSignIn } from "../support/siwc.js";

interface Answer {
  status: number;
  body: string;
}

/**
 * A POST whose body is given as bytes (node:http, so any header may be set). With `cuts`,
 * it is written in pieces cut there (its length declared), each after the last has had
 * time to arrive on its own.
 */
function post(stack: Stack, body: Buffer, headers: Record<string, string> = {}, cuts: number[] = []): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const length: Record<string, string> = cuts.length > 0 ? { "content-length": String(body.length) } : {};
    const req = request(
      `${stack.server.baseUrl}/responses`,
      { method: "POST", headers: { authorization: `Bearer ${stack.server.apiKey}`, "content-type": "application/json", ...length, ...headers } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    if (cuts.length === 0) return void req.end(body);
    const pieces = [0, ...cuts].map((from, i) => body.subarray(from, cuts[i] ?? body.length));
    const next = () => {
      const piece = pieces.shift();
      if (piece === undefined) return void req.end();
      req.write(piece);
      setTimeout(next, 5);
    };
    next();
  });
}

function assertOpenAIError(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.body);
  const { error } = JSON.parse(answer.body);
  assert.deepEqual(Object.keys(error).sort(), ["code", "message", "param", "type"]);
  assert.equal(error.code, code);
  assert.equal(error.type, "invalid_request_error");
  assert.equal(typeof error.message, "string");
}

const MIB = 1024 * 1024;
const json = (text: string) => Buffer.from(JSON.stringify({ model: "gpt-5.5", input: text }));

describe("malformed request bodies", () => {
  let stack: Stack;
  const unexpected: string[] = [];
  const start = async () => {
    stack = await startStack({ server: { maxBodyBytes: MIB, onError: (message) => unexpected.push(message) } });
  };

  /** Runs `fn`, then checks it left exactly one log line and no unexpected error. */
  async function oneLogLine(fn: () => Promise<void>, status: number): Promise<void> {
    const before = stack.logs.length;
    await fn();
    await eventually(() => stack.logs.length > before, 10_000);
    assert.equal(stack.logs.length, before + 1);
    assert.equal(stack.logs.at(-1)!.status, status);
    assert.deepEqual(unexpected, []);
  }

  it("answers 400 to a body that is not the gzip it claims to be", async () => {
    await start();
    try {
      await oneLogLine(async () => assertOpenAIError(await post(stack, Buffer.from("this is not gzip at all"), { "content-encoding": "gzip" }), 400, "invalid_body"), 400);
      const cut = gzipSync(json("hello"));
      await oneLogLine(async () => assertOpenAIError(await post(stack, cut.subarray(0, cut.length - 12), { "content-encoding": "gzip" }), 400, "invalid_body"), 400);
      // A good gzip body still works.
      assert.equal((await post(stack, gzipSync(json("hello")), { "content-encoding": "gzip" })).status, 200);
    } finally {
      await stack.close();
    }
  });

  it("answers 400 to invalid UTF-8 instead of replacing the bytes", async () => {
    await start();
    try {
      const body = Buffer.concat([Buffer.from('{"model":"gpt-5.5","input":"caf'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
      await oneLogLine(async () => assertOpenAIError(await post(stack, body), 400, "invalid_body"), 400);
      assert.equal(stack.emulator.requests.length, 0, "nothing reached the upstream");
    } finally {
      await stack.close();
    }
  });

  it("answers 413 past the body limit: declared, chunked, or expanding from gzip", async () => {
    await start();
    try {
      const big = json("x".repeat(2 * MIB));
      await oneLogLine(async () => assertOpenAIError(await post(stack, big), 413, "request_too_large"), 413);
      await oneLogLine(async () => assertOpenAIError(await post(stack, big, { "transfer-encoding": "chunked" }), 413, "request_too_large"), 413);
      const bomb = gzipSync(Buffer.alloc(64 * MIB, 0x20));
      assert.ok(bomb.length < MIB / 4);
      await oneLogLine(async () => assertOpenAIError(await post(stack, bomb, { "content-encoding": "gzip" }), 413, "request_too_large"), 413);
      assert.match(JSON.parse((await post(stack, big)).body).error.message, /larger than 1 MiB/);
      assert.equal((await post(stack, json("x".repeat(MIB / 2)))).status, 200, "a body under the limit is served");
    } finally {
      await stack.close();
    }
  });

  it("logs one line and no stack when the client goes away while the body is read", async () => {
    await start();
    try {
      await oneLogLine(async () => {
        const { hostname, port } = new URL(stack.server.url);
        const socket = connect(Number(port), hostname);
        await once(socket, "connect");
        socket.write(`POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${stack.server.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":`);
        // The server is reading the body when the client vanishes.
        await eventually(() => stack.server.inFlight() === 1, 10_000);
        socket.destroy();
      }, 499);
      const entry = stack.logs.at(-1)!;
      assert.equal(entry.clientAborted, true);
      assert.equal(stack.emulator.requests.length, 0);
    } finally {
      await stack.close();
    }
  });
});

const ANSWER_HEAD = /^HTTP\/1\.1 (\d+)[^]*?content-length: (\d+)[^]*?\r\n\r\n/i;

/** Reads `count` answers (each with a Content-Length) from a raw socket: status and body. */
async function answers(socket: Socket, count: number): Promise<Answer[]> {
  // Latin-1, one character per byte, so Content-Length counts characters.
  let text = "";
  const parsed: Answer[] = [];
  for await (const chunk of socket) {
    text += (chunk as Buffer).toString("latin1");
    for (let head = ANSWER_HEAD.exec(text); head; head = ANSWER_HEAD.exec(text)) {
      const end = head[0].length + Number(head[2]);
      if (text.length < end) break;
      parsed.push({ status: Number(head[1]), body: Buffer.from(text.slice(head[0].length, end), "latin1").toString("utf8") });
      text = text.slice(end);
    }
    if (parsed.length === count) return parsed;
  }
  throw new Error(`the connection closed after ${parsed.length} of ${count} answers`);
}

describe("reading bodies", () => {
  it("reads each body whole on one kept-alive connection, however its bytes arrive, and releases every request", async () => {
    let started = 0;
    let released = 0;
    const server = createHttpServer(async (req, res) => {
      started++;
      req.once("close", () => released++);
      try {
        res.end(JSON.stringify((await readJsonBody(req, MIB)).value));
      } catch (error) {
        res.statusCode = (error as ServerError).status;
        res.end((error as ServerError).code);
      }
    });
    const url = new URL(await listen(server, 0, "127.0.0.1"));
    const socket = connect(Number(url.port), url.hostname);
    try {
      await once(socket, "connect");
      const head = (length: number | "chunked") => `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${length === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${length}`}\r\n\r\n`;
      const body = (n: number) => JSON.stringify({ n, text: "é".repeat(n * 7) });
      const expected: Answer[] = [];
      const send = async (n: number, split: "whole" | "late body" | "late half" | "chunked") => {
        const text = body(n);
        const bytes = Buffer.from(text);
        expected.push({ status: 200, body: text });
        if (split === "chunked") return void socket.write(`${head("chunked")}${bytes.length.toString(16)}\r\n${text}\r\n0\r\n\r\n`);
        if (split === "whole") return void socket.write(Buffer.concat([Buffer.from(head(bytes.length)), bytes]));
        const at = split === "late body" ? 0 : bytes.length >> 1;
        socket.write(Buffer.concat([Buffer.from(head(bytes.length)), bytes.subarray(0, at)]));
        // The rest only once the server is reading this request's body.
        await eventually(() => started === n, 10_000);
        socket.write(bytes.subarray(at));
      };
      await send(1, "whole");
      await send(2, "late body");
      await send(3, "late half");
      await send(4, "chunked");
      // Two requests in one write: the first body must not take the second's bytes.
      socket.write([5, 6].map((n) => `${head(Buffer.byteLength(body(n)))}${body(n)}`).join(""));
      expected.push({ status: 200, body: body(5) }, { status: 200, body: body(6) });
      socket.write(head(0));
      expected.push({ status: 400, body: "invalid_json" });
      assert.deepEqual(await answers(socket, expected.length), expected);
      await eventually(() => released === expected.length, 10_000);
    } finally {
      socket.destroy();
      server.close();
    }
  });
});

describe("members left as text", () => {
  it("leaves a long input, and beside it each member named with it of 1 KiB or more, as text; parses the rest, in any order", async () => {
    const server = createHttpServer(async (req, res) => {
      const { value } = await readJsonBody(req, MIB, { member: "input", alongside: ["instructions", "tools"] });
      const deferred = Object.keys(value).filter((name) => value[name] instanceof DeferredJson);
      res.end(JSON.stringify({ deferred, value }));
    });
    const url = await listen(server, 0, "127.0.0.1");
    const read = async (text: string) => (await (await fetch(url, { method: "POST", body: text })).json()) as { deferred: string[]; value: unknown };
    try {
      const input = Array.from({ length: 800 }, (_, i) => ({ role: "user", content: `Turn ${i}: "quoted" ] } caf\u00e9` }));
      const instructions = `Be brief. ${"\u2713 Follow the conventions. ".repeat(60)}`;
      const tools = Array.from({ length: 30 }, (_, i) => ({ type: "function", name: `tool_${i}`, parameters: { type: "object" } }));
      for (const body of [
        { instructions, model: "m", input, tools },
        { tools, input, stream: true, instructions },
        { input, instructions, tools: tools.slice(0, 2) },
      ]) {
        const text = JSON.stringify(body, null, 1);
        const answer = await read(text);
        assert.deepEqual(answer.value, body);
        const long = ["input", "instructions", "tools"].filter((name) => name in body && Buffer.byteLength(JSON.stringify((body as Record<string, unknown>)[name])) >= 1024);
        assert.deepEqual(answer.deferred.sort(), long.sort(), text.slice(0, 60));
      }
      // Without a long input, nothing is left as text.
      assert.deepEqual((await read(JSON.stringify({ input: input.slice(0, 10), instructions, tools }))).deferred, []);
      // A name given twice is parsed with the rest, as JSON.parse reads it: the last one.
      const twice = `{"instructions": ${JSON.stringify(instructions)}, "input": ${JSON.stringify(input)}, "instructions": ${JSON.stringify(`${instructions}!`)}}`;
      const answer = await read(twice);
      assert.deepEqual(answer.deferred, ["input"]);
      assert.deepEqual(answer.value, { instructions: `${instructions}!`, input });
    } finally {
      server.close();
    }
  });
});

describe("bodies sent on upstream", () => {
  const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
  const upstream = (stack: Stack, path: string) => stack.emulator.requests.filter((r) => r.path === path).at(-1)!;
  /** `bytes` with `members` (JSON text) written before the closing brace, as the server adds a policy's members. */
  const withMembers = (bytes: Buffer, members: string) => Buffer.concat([bytes.subarray(0, bytes.lastIndexOf("}")), Buffer.from(`,${members}}`)]);

  // Both HTTP clients: undici (serve's own) and node:http (every proxied request).
  for (const httpClient of ["undici", "node"] as const) {
    it(`sends a body the provider's policy keeps as the client's bytes (after Content-Encoding and a BOM), members it adds at the end, and a changed one as JSON (${httpClient})`, () => sendsBodiesOn(httpClient));
  }

  async function sendsBodiesOn(httpClient: "undici" | "node"): Promise<void> {
    const stack = await startStack({ server: { providerOptions: { httpClient, retry: { baseDelayMs: 1, maxDelayMs: 5 } } } });
    try {
      // Spacing, key order, escapes and a number JSON.stringify would all write differently.
      const text = '{ "stream": true,\n  "input": [{"role": "user", "content": "caf\\u00e9 \\ud83d\\ude00"}], "model": "gpt-5.5", "temperature": 1.50 }';
      const bytes = Buffer.from(text);
      for (const [sent, headers] of [
        [bytes, {}],
        [gzipSync(bytes), { "content-encoding": "gzip" }],
        [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]), {}],
      ] as const) {
        assert.equal((await post(stack, sent, headers)).status, 200);
        assert.equal(upstream(stack, "/v1/responses").sha256, sha256(bytes));
      }
      // A string input goes as it came too: the Platform takes it.
      const stringInput = Buffer.from('{"model": "gpt-5.5", "input": "caf\u00e9", "stream": true}');
      assert.equal((await post(stack, stringInput)).status, 200);
      assert.equal(upstream(stack, "/v1/responses").sha256, sha256(stringInput));
      // Not streamed: the policy adds `stream: true`, written after the client's members.
      const unstreamed = Buffer.from(text.replace('"stream": true,', ""));
      assert.equal((await post(stack, unstreamed)).status, 200);
      assert.equal(upstream(stack, "/v1/responses").sha256, sha256(withMembers(unstreamed, '"stream":true')));
      // `stream: false` changed: the body goes as its new JSON.
      const answer = await post(stack, Buffer.from(text.replace('"stream": true', '"stream": false')));
      assert.equal(answer.status, 200, answer.body);
      const sentOn = upstream(stack, "/v1/responses");
      assert.deepEqual(sentOn.body, { ...JSON.parse(text), stream: true });
      assert.equal(sentOn.sha256, sha256(Buffer.from(JSON.stringify(sentOn.body))));
    } finally {
      await stack.close();
    }
  }

  /** A history past the size the body reader leaves unparsed when nothing reads it (32 KiB). */
  const history = (first: Record<string, unknown> = { type: "message", role: "user", content: [{ type: "input_text", text: "Start." }] }) => [
    first,
    ...Array.from({ length: 40 }, (_, i) => ({ type: "message", role: "assistant", content: [{ type: "output_text", text: `Turn ${i}: ${"some words, \"quoted\" ] } ".repeat(80)}\u001b[0m` }] })),
  ];
  const spaced = (body: unknown) => Buffer.from(JSON.stringify(body, null, 1));
  const countIn = (stack: Stack, path: string) => stack.emulator.requests.filter((r) => r.path === path).length;

  it("sends a long input it need not read unparsed, kept or not: as the client's bytes, bad JSON in it judged by the upstream; a continued one is read", async () => {
    const stack = await startStack({ server: { onError: (message) => assert.fail(message) } });
    try {
      const body = { model: "gpt-5.5", input: history(), store: false, stream: true };
      const bytes = spaced(body);
      assert.ok(bytes.length > 40 * 1024);
      const answer = await post(stack, bytes);
      assert.equal(answer.status, 200, answer.body);
      assert.equal(upstream(stack, "/v1/responses").sha256, sha256(bytes));
      assert.match(answer.body, /You asked: \\"Start\.\\"/, "the upstream read the history the client sent");
      // A bad literal inside the input, its strings and brackets intact: only the upstream parses it.
      const broken = (value: unknown) => Buffer.from(spaced(value).toString().replace('"role": "user"', '"role": user'));
      const before = countIn(stack, "/v1/responses");
      const refused = await post(stack, broken(body));
      assert.equal(refused.status, 400, refused.body);
      assert.match(JSON.parse(refused.body).error.message, /could not parse the JSON body/);
      assert.equal(countIn(stack, "/v1/responses"), before + 1, "the upstream judged it");
      // Kept (no `store: false`), it is not read either: a kept input is read only by a follow-up or a listing.
      const { store: _store, ...kept } = body;
      assert.equal((await post(stack, broken(kept))).status, 400);
      assert.equal(countIn(stack, "/v1/responses"), before + 2, "the upstream judged it");
      // Continuing a kept response, the input is read here: the server's own 400, nothing sent.
      const { id } = JSON.parse((await post(stack, spaced({ ...kept, stream: false }))).body) as { id: string };
      const sent = countIn(stack, "/v1/responses");
      assertOpenAIError(await post(stack, broken({ ...kept, previous_response_id: id })), 400, "invalid_json");
      assert.equal(countIn(stack, "/v1/responses"), sent);
      // Invalid UTF-8 anywhere is refused before anything is sent.
      const text = bytes.toString();
      const at = text.indexOf("Turn 7");
      assertOpenAIError(await post(stack, Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28]), bytes.subarray(at)])), 400, "invalid_body");
      assert.equal(countIn(stack, "/v1/responses"), sent);
    } finally {
      await stack.close();
    }
  });

  for (const httpClient of ["undici", "node"] as const) {
    it(`sends a long body that came in pieces, cut inside characters, as the client's bytes, and reads its input whole when kept (${httpClient})`, async () => {
      const stack = await startStack({ server: { providerOptions: { httpClient, retry: { baseDelayMs: 1, maxDelayMs: 5 } }, onError: (message) => assert.fail(message) } });
      try {
        const input = history({ type: "message", role: "user", content: [{ type: "input_text", text: "Caf\u00e9 \u{1f600} \u2713, start." }] });
        const piecesOf = (bytes: Buffer) => {
          const inside = (text: string, by: number) => bytes.indexOf(text) + by;
          return [inside("\u00e9", 1), inside("\u{1f600}", 2), inside("\u2713", 1), 40_000, 64 * 1024 + 3].sort((a, b) => a - b);
        };
        const streamed = spaced({ model: "gpt-5.5", input, store: false, stream: true });
        const answer = await post(stack, streamed, {}, piecesOf(streamed));
        assert.equal(answer.status, 200, answer.body);
        assert.equal(upstream(stack, "/v1/responses").sha256, sha256(streamed));
        // Retried after a 500, the same pieces go again, whole.
        stack.emulator.setFault({ name: "server_error" });
        const sent = countIn(stack, "/v1/responses");
        assert.equal((await post(stack, streamed, {}, piecesOf(streamed))).status, 200);
        const attempts = stack.emulator.requests.filter((r) => r.path === "/v1/responses").slice(sent);
        assert.deepEqual(attempts.map((r) => r.sha256), [sha256(streamed), sha256(streamed)]);
        // Gzipped, it is read in the decompressor's chunks (16 KiB each) and goes on decompressed.
        assert.equal((await post(stack, gzipSync(streamed), { "content-encoding": "gzip" })).status, 200);
        assert.equal(upstream(stack, "/v1/responses").sha256, sha256(streamed));
        // Not streamed: the policy's `stream: true` goes after the client's pieces.
        const unstreamed = spaced({ model: "gpt-5.5", input, store: false });
        assert.equal((await post(stack, unstreamed, {}, piecesOf(unstreamed))).status, 200);
        assert.equal(upstream(stack, "/v1/responses").sha256, sha256(withMembers(unstreamed, '"stream":true')));
        // Kept, the input is parsed from its pieces: listed back as it was sent.
        const kept = spaced({ model: "gpt-5.5", input, stream: false });
        const first = await post(stack, kept, {}, piecesOf(kept));
        assert.equal(first.status, 200, first.body);
        const { id } = JSON.parse(first.body) as { id: string };
        const listed = await fetch(`${stack.server.baseUrl}/responses/${id}/input_items?order=asc&limit=100`, { headers: { authorization: `Bearer ${stack.server.apiKey}` } });
        const items = ((await listed.json()) as { data: Record<string, unknown>[] }).data;
        assert.deepEqual(
          items.map(({ id: _id, status: _status, ...item }) => item),
          input,
        );
        // A character cut and broken across two pieces is refused, and nothing is sent.
        const before = countIn(stack, "/v1/responses");
        const at = streamed.indexOf("\u2713");
        const broken = Buffer.concat([streamed.subarray(0, at + 1), Buffer.from([0x28]), streamed.subarray(at + 2)]);
        assertOpenAIError(await post(stack, broken, {}, [at + 1, at + 2]), 400, "invalid_body");
        assert.equal(countIn(stack, "/v1/responses"), before);
      } finally {
        await stack.close();
      }
    });
  }

  it("reads a long input it keeps or continues: stored whole, listed by input_items, replayed to a stateless upstream", async () => {
    const stack = await startCodexStack();
    try {
      const input = history();
      const first = await post(stack, spaced({ model: "gpt-5.5", input, stream: false }));
      assert.equal(first.status, 200, first.body);
      const { id, output } = JSON.parse(first.body) as { id: string; output: unknown[] };
      const listed = await fetch(`${stack.server.baseUrl}/responses/${id}/input_items?order=asc&limit=100`, { headers: { authorization: `Bearer ${stack.server.apiKey}` } });
      const items = ((await listed.json()) as { data: Record<string, unknown>[] }).data;
      // Listed as stored, each with the id and status the listing adds.
      assert.deepEqual(
        items.map(({ id: _id, status: _status, ...item }) => item),
        input,
      );
      // A follow-up with `store: false` still continues: the kept history and the new long input both go upstream.
      const next = history({ type: "message", role: "user", content: [{ type: "input_text", text: "Again." }] });
      const second = await post(stack, spaced({ model: "gpt-5.5", input: next, previous_response_id: id, store: false, stream: false }));
      assert.equal(second.status, 200, second.body);
      const sent = upstream(stack, "/backend-api/codex/responses").body as { input: unknown[] };
      assert.equal(sent.input.length, input.length + output.length + next.length, "the first input, its answer, the new input");
      assert.deepEqual(sent.input.slice(-next.length), next);
    } finally {
      await stack.close();
    }
  });

  it("parses a long input a policy reads: a system item made developer for the Codex backend, tools moved into it for ChatGPT, items translated for a Chat upstream", async () => {
    const codex = await startCodexStack();
    try {
      const path = "/backend-api/codex/responses";
      // As Codex sends it: nothing for the policy to add.
      const turn = { model: "gpt-5.5", instructions: "Be brief.", input: history(), tools: [], store: false, stream: true, include: ["reasoning.encrypted_content"], prompt_cache_key: "conversation-1" };
      const plain = spaced(turn);
      assert.equal((await post(codex, plain)).status, 200);
      assert.equal(upstream(codex, path).sha256, sha256(plain), "no system role in it (a terminal's \\u001b escapes are): sent as it came");
      const system = spaced({ ...turn, input: history({ type: "message", role: "system", content: [{ type: "input_text", text: "Be brief." }] }) });
      assert.equal((await post(codex, system)).status, 200);
      const mapped = upstream(codex, path);
      assert.equal((mapped.body as { input: { role: string }[] }).input[0].role, "developer");
      assert.equal((mapped.body as { input: unknown[] }).input.length, 41);
      // Read by the policy, bad JSON in it is the server's own 400: nothing is sent.
      const sent = codex.emulator.requests.length;
      const broken = Buffer.from(system.toString().replace('"role": "assistant"', '"role": assistant'));
      assertOpenAIError(await post(codex, broken), 400, "invalid_json");
      assert.equal(codex.emulator.requests.length, sent);
    } finally {
      await codex.close();
    }
    // The Sign in with ChatGPT path moves a flat function tool into an item at the head of the input.
    const siwc = await startStack({ server: { provider: "chatgpt" }, setup: (emulator, home) => siwcSignIn(emulator, home) });
    try {
      const tool = { type: "function", name: "shell", description: "Runs a command.", parameters: { type: "object", properties: {} } };
      const answer = await post(siwc, spaced({ model: "gpt-5.5", input: history(), tools: [tool], store: false, stream: true }));
      assert.equal(answer.status, 200, answer.body);
      const sent = upstream(siwc, "/v1/responses").body as { input: Record<string, unknown>[] };
      assert.deepEqual(sent.input[0], { type: "additional_tools", role: "developer", tools: [tool] });
      assert.deepEqual(sent.input.slice(1), history());
    } finally {
      await siwc.close();
    }
    const chat = await startStack({ server: chatUpstream });
    try {
      const answer = await post(chat, spaced({ model: "gpt-5.5", input: history(), store: false, stream: true }));
      assert.equal(answer.status, 200, answer.body);
      const sent = upstream(chat, "/v1/chat/completions").body as { messages: { role: string }[] };
      assert.equal(sent.messages.length, 41);
      assert.equal(sent.messages[0].role, "user");
    } finally {
      await chat.close();
    }
  });

  /** Over 1 KiB each: left as text beside a long input. */
  const longInstructions = `Be brief; quote "exactly" (caf\u00e9 \u2713).\n${"Follow the repository's conventions. ".repeat(40)}`;
  const longTools = [
    ...Array.from({ length: 8 }, (_, i) => ({ type: "function", name: `tool_${i}`, description: `Tool ${i}: ${"does a thing ".repeat(10)}`, parameters: { type: "object", properties: { path: { type: "string" } } } })),
    { type: "custom", name: "apply_patch", description: "Applies a patch." },
  ];

  it("leaves long instructions and tools beside a long input as text: sent as the client's bytes, read where a provider reads them", async () => {
    const turn = { model: "gpt-5.5", instructions: longInstructions, input: history(), tools: longTools, store: false, stream: true };
    assert.ok(Buffer.byteLength(JSON.stringify(longTools)) > 1024 && Buffer.byteLength(JSON.stringify(longInstructions)) > 1024);
    const platform = await startStack({ server: { onError: (message) => assert.fail(message) } });
    try {
      const bytes = spaced(turn);
      assert.equal((await post(platform, bytes)).status, 200);
      assert.equal(upstream(platform, "/v1/responses").sha256, sha256(bytes));
      // Bad JSON in the tools, read by no one here: the upstream's 400.
      const before = countIn(platform, "/v1/responses");
      const broken = Buffer.from(bytes.toString().replace('"name": "tool_3"', '"name": tool_3'));
      const refused = await post(platform, broken);
      assert.equal(refused.status, 400, refused.body);
      assert.equal(countIn(platform, "/v1/responses"), before + 1, "the upstream judged it");
    } finally {
      await platform.close();
    }
    // The Codex backend: a system item changes the input, so the body goes as JSON, the instructions and tools as they were.
    const codex = await startCodexStack();
    try {
      const system = history({ type: "message", role: "system", content: [{ type: "input_text", text: "Be brief." }] });
      assert.equal((await post(codex, spaced({ ...turn, input: system }))).status, 200);
      const sent = upstream(codex, "/backend-api/codex/responses").body as Record<string, unknown>;
      assert.equal(sent.instructions, longInstructions);
      assert.deepEqual(sent.tools, longTools);
      // A follow-up to a kept turn is sent as JSON (the history expanded): bad JSON in its tools is the server's own 400, nothing sent.
      const { store: _store, ...keptTurn } = turn;
      const { id } = JSON.parse((await post(codex, spaced({ ...keptTurn, stream: false }))).body) as { id: string };
      const count = countIn(codex, "/backend-api/codex/responses");
      const followUp = spaced({ ...keptTurn, previous_response_id: id }).toString().replace('"name": "tool_3"', '"name": tool_3');
      assertOpenAIError(await post(codex, Buffer.from(followUp)), 400, "invalid_json");
      assert.equal(countIn(codex, "/backend-api/codex/responses"), count);
    } finally {
      await codex.close();
    }
    // Sign in with ChatGPT reads the tools: an unsupported one named by its index and dropped, flat ones moved into the input.
    const siwc = await startStack({ server: { provider: "chatgpt" }, setup: (emulator, home) => siwcSignIn(emulator, home) });
    try {
      const tools = [...longTools.slice(0, 4), { type: "tool_search" }, ...longTools.slice(4)];
      const answer = await post(siwc, spaced({ ...turn, tools }));
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(siwc.logs.at(-1)!.dropped, ["tools[tool_search]"]);
      const sent = upstream(siwc, "/v1/responses").body as Record<string, unknown> & { input: Record<string, unknown>[] };
      assert.equal(sent.instructions, longInstructions);
      assert.equal(sent.tools, undefined);
      assert.deepEqual(sent.input[0], { type: "additional_tools", role: "developer", tools: longTools });
      // Read there, bad JSON in them is the server's own 400: nothing is sent.
      const count = countIn(siwc, "/v1/responses");
      assertOpenAIError(await post(siwc, Buffer.from(spaced(turn).toString().replace('"name": "tool_3"', '"name": tool_3'))), 400, "invalid_json");
      assert.equal(countIn(siwc, "/v1/responses"), count);
    } finally {
      await siwc.close();
    }
    // A Chat upstream: the instructions become the system message, the function tools Chat's.
    const chat = await startStack({ server: chatUpstream });
    try {
      assert.equal((await post(chat, spaced(turn))).status, 200);
      const sent = upstream(chat, "/v1/chat/completions").body as { messages: { role: string; content: unknown }[]; tools: { function: { name: string } }[] };
      assert.deepEqual(sent.messages[0], { role: "system", content: longInstructions });
      assert.deepEqual(
        sent.tools.map((tool) => tool.function.name),
        longTools.filter((tool) => tool.type === "function").map((tool) => tool.name),
      );
    } finally {
      await chat.close();
    }
  });

  it("sends a Codex client's body to the Codex backend as it came, with what the policy adds at the end", async () => {
    const stack = await startCodexStack();
    try {
      const codexBody = {
        model: "gpt-5.5",
        instructions: "You are a coding agent.",
        input: [{ type: "message", role: "developer", content: [{ type: "input_text", text: "hi" }] }],
        tools: [],
        store: false,
        stream: true,
        include: ["reasoning.encrypted_content"],
        prompt_cache_key: "0195f3a4-conversation",
      };
      const bytes = Buffer.from(JSON.stringify(codexBody, null, 1));
      assert.equal((await post(stack, bytes)).status, 200);
      assert.equal(upstream(stack, "/backend-api/codex/responses").sha256, sha256(bytes));
      // Without instructions, `store` and `include`, the policy adds them.
      const { instructions: _instructions, store: _store, include: _include, ...partial } = codexBody;
      const partialBytes = Buffer.from(JSON.stringify(partial, null, 1));
      assert.equal((await post(stack, partialBytes)).status, 200);
      const completed = upstream(stack, "/backend-api/codex/responses");
      const added = `"instructions":${JSON.stringify(CODEX_DEFAULT_INSTRUCTIONS)},"store":false,"include":["reasoning.encrypted_content"]`;
      assert.equal(completed.sha256, sha256(withMembers(partialBytes, added)));
      // A string input is one user message there: the backend takes only items.
      assert.equal((await post(stack, Buffer.from(JSON.stringify({ ...codexBody, input: "hi" })))).status, 200);
      assert.deepEqual((upstream(stack, "/backend-api/codex/responses").body as { input: unknown }).input, [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }]);
      // A `system` item is made `developer`: a changed member, so the body goes as its JSON.
      const system = { ...codexBody, input: [{ ...codexBody.input[0], role: "system" }] };
      assert.equal((await post(stack, Buffer.from(JSON.stringify(system, null, 1)))).status, 200);
      const mapped = upstream(stack, "/backend-api/codex/responses");
      assert.equal((mapped.body as { input: { role: string }[] }).input[0].role, "developer");
      assert.equal(mapped.sha256, sha256(Buffer.from(JSON.stringify(mapped.body))));
    } finally {
      await stack.close();
    }
  });
});
