// Requests node:http refuses itself (a request it cannot parse, headers past its limit,
// a body that breaks mid-request) get OpenAI's error body instead of a bare status
// line, one access-log line each, and the connection closed; the server keeps serving.
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { rawRequest, withStack, type Stack } from "./helpers.js";

/** Send `bytes` on a fresh socket; resolve with everything the server sent before closing it. */
async function exchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, "connect");
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk));
  socket.on("error", () => undefined);
  const closed = once(socket, "close");
  socket.write(bytes);
  await closed;
  return received;
}

function errorBody(response: string): { message: string; type: string; code: string } {
  return JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)).error;
}

/** The request's log line is written when its response closes, which may come just after the client saw the close. */
async function logged(stack: Stack, count: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (stack.logs.length < count && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
}

const health = (stack: Stack) => rawRequest(`${stack.server.url}/health`, { headers: { authorization: `Bearer ${stack.server.apiKey}`, connection: "close" } });

describe("requests node:http cannot parse", () => {
  it("a garbage request line gets a 400 in OpenAI's error shape and one escaped log line", () =>
    withStack({}, async (stack) => {
      const response = await exchange(stack.server.url, "HELLO\x1b[31m THERE\r\n\r\n");
      assert.match(response, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(response, /\r\nconnection: close\r\n/i);
      assert.deepEqual(errorBody(response), { message: "Malformed HTTP request (HPE_INVALID_METHOD).", type: "invalid_request_error", param: null, code: "malformed_request" });
      assert.equal(stack.logs.length, 1);
      const [entry] = stack.logs;
      assert.equal(entry.status, 400);
      assert.equal(entry.error, "malformed_request");
      assert.equal(entry.method, "-", "nothing the client sent is logged");
      assert.match(response, new RegExp(`\\r\\nx-request-id: ${entry.requestId}\\r\\n`));
      assert.equal((await health(stack)).status, 200);
    }));

  it("headers over node:http's limit get a 431 in OpenAI's error shape", () =>
    withStack({}, async (stack) => {
      const response = await exchange(stack.server.url, `GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nx-filler: ${"a".repeat(80 * 1024)}\r\n\r\n`);
      assert.match(response, /^HTTP\/1\.1 431 /);
      assert.equal(errorBody(response).code, "request_headers_too_large");
      assert.deepEqual(
        stack.logs.map((entry) => [entry.status, entry.error]),
        [[431, "request_headers_too_large"]],
      );
    }));

  it("a body that stops parsing mid-request is answered through that request: one 400, one log line", () =>
    withStack({}, async (stack) => {
      const head = ["POST /v1/responses HTTP/1.1", "host: 127.0.0.1", `authorization: Bearer ${stack.server.apiKey}`, "transfer-encoding: chunked"];
      const response = await exchange(stack.server.url, `${head.join("\r\n")}\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`);
      assert.match(response, /^HTTP\/1\.1 400 /);
      assert.equal(errorBody(response).code, "malformed_request");
      await logged(stack, 1);
      assert.equal(stack.logs.length, 1);
      assert.equal(stack.logs[0].status, 400);
      assert.equal(stack.logs[0].path, "/v1/responses");
    }));
});
