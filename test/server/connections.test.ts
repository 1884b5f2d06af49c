// Connections over real sockets: a socket that never sends a request is closed after
// the idle time, a request whose headers never finish is closed after the headers
// timeout, and past the connection cap a client gets a 503 at once (OpenAI's error
// shape) instead of a connection that hangs; a freed slot is usable again.
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { describe, it } from "node:test";
import { rawRequest, withStack, type Stack } from "./helpers.js";
import { eventually } from "../support/poll.js";

/** A connected raw socket that has sent nothing. */
async function idleSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, "connect");
  return socket;
}

/** Resolves with everything the server sent once it closes the socket; rejects after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<string> {
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk));
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve(received);
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

const health = (stack: Stack) => rawRequest(`${stack.server.url}/health`, { headers: { authorization: `Bearer ${stack.server.apiKey}`, connection: "close" } });

describe("connection limits over real sockets", () => {
  it("closes 50 sockets that send no request once the idle time has passed", () =>
    withStack({ server: { limits: { idleConnectionMs: 500 } } }, async (stack) => {
      const sockets = await Promise.all(Array.from({ length: 50 }, () => idleSocket(stack.server.url)));
      const started = performance.now();
      // Today's server never closes them: the generous bound turns that into a failure.
      const received = await Promise.all(sockets.map((socket) => closedWithin(socket, 15_000)));
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 400, `closed before the idle time (${Math.round(elapsed)} ms)`);
      assert.deepEqual(new Set(received), new Set([""]), "an idle socket is closed without an answer");
      assert.equal((await health(stack)).status, 200, "the server still serves");
    }));

  it("closes a request whose headers never finish after the headers timeout", () =>
    withStack({ server: { limits: { headersTimeoutMs: 500, idleConnectionMs: 500 } } }, async (stack) => {
      const socket = await idleSocket(stack.server.url);
      socket.write("POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      // A byte now and then keeps the socket from being idle, never completing the headers.
      const drip = setInterval(() => socket.write("a"), 100);
      try {
        const received = await closedWithin(socket, 15_000);
        assert.match(received, /^HTTP\/1\.1 408 /);
        assert.match(received, /\r\n\r\n\{"error":\{[^]*"code":"request_timeout"/, "OpenAI's error body, not a bare status line");
      } finally {
        clearInterval(drip);
      }
    }));

  it("answers a client past the cap with a quick 503 in OpenAI's error shape, and serves again once a slot frees", () =>
    withStack({ server: { limits: { maxConnections: 5, idleConnectionMs: 60_000 } } }, async (stack) => {
      const held = await Promise.all(Array.from({ length: 5 }, () => idleSocket(stack.server.url)));
      const started = performance.now();
      const refused = await health(stack);
      const ms = performance.now() - started;
      assert.equal(refused.status, 503);
      assert.equal(refused.headers["x-should-retry"], "true");
      assert.equal(refused.headers.connection, "close");
      const error = JSON.parse(refused.body).error;
      assert.equal(error.code, "too_many_connections");
      assert.equal(error.type, "server_error");
      assert.match(error.message, /5 open connections/);
      assert.ok(ms < 5_000, `the refusal took ${Math.round(ms)} ms`);

      // A raw client that sends nothing gets the same answer unasked, and the close.
      const silent = await idleSocket(stack.server.url);
      assert.match(await closedWithin(silent, 10_000), /^HTTP\/1\.1 503 [^]*"too_many_connections"/);

      held[0].destroy();
      await eventually(async () => (await health(stack)).status === 200, 10_000, "a freed slot answering 200");
      for (const socket of held) socket.destroy();
    }));
});
