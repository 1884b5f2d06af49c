// Malformed request bodies over real sockets: a bad gzip body, invalid UTF-8, a body
// past the size limit (declared, chunked, or a small gzip that expands) and a client
// that goes away mid-body. Each is a 4xx in OpenAI's error shape (when the client is
// still there to read it), one access-log line, and never an "unexpected" error with
// a stack trace.
import assert from "node:assert/strict";
import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { startStack, type Stack } from "./helpers.js";
import { eventually } from "../support/poll.js";

interface Answer {
  status: number;
  body: string;
}

/** A POST whose body is given as bytes (node:http, so any header may be set). */
function post(stack: Stack, body: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${stack.server.baseUrl}/responses`,
      { method: "POST", headers: { authorization: `Bearer ${stack.server.apiKey}`, "content-type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
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
