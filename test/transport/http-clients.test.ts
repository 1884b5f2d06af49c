// The HTTP contract both clients keep (node-http.ts and undici-http.ts), each against a
// real loopback server: what a caller gets, how each failure reads, keep-alive after an
// early stop, and backpressure. send() picks undici only where it may (no proxy).
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { after, describe, it } from "node:test";
import { ProviderError } from "#src/errors.js";
import { send, type HttpClientChoice } from "#src/transport/http.js";
import { configureProxy } from "#src/transport/proxy.js";
import { startProxy } from "./proxy-server.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer(handler);
  server.on("connection", (socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function readAll(body: AsyncIterable<Buffer>): Promise<string> {
  let text = "";
  for await (const chunk of body) text += chunk.toString();
  return text;
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => assert.fail("expected a failure"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ProviderError, `a ProviderError, got ${String(error)}`);
  return error;
}

// Loopback goes to a proxy when one is set in the environment: these requests go direct.
configureProxy({ env: {} });

for (const client of ["node", "undici"] satisfies HttpClientChoice[]) {
  describe(`the ${client} client`, () => {
    it("status, headers (repeated ones joined) and the body in order", async () => {
      const server = await serve((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
          res.setHeader("x-seen", `${req.method} ${req.url} ${req.headers["x-mine"]} ${body}`);
          res.setHeader("x-twice", ["a", "b"]);
          res.writeHead(201);
          res.write("one,");
          setTimeout(() => res.end("two"), 20);
        });
      });
      after(() => server.close());
      const response = await send({ url: `${server.url}/p?q=1`, method: "POST", headers: { "x-mine": "yes" }, body: "héllo", client });
      assert.equal(response.status, 201);
      assert.equal(response.headers["x-seen"], "POST /p?q=1 yes héllo");
      assert.equal(response.headers["x-twice"], "a, b");
      assert.equal(await readAll(response.body), "one,two");
    });

    it("a body given as parts (a relayed body in the chunks it came in) goes out in order, with its length, not chunked", async () => {
      const seen: string[] = [];
      const server = await serve((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          seen.push(`${req.headers["content-length"]} ${req.headers["transfer-encoding"]} ${Buffer.concat(chunks).toString()}`);
          res.end("ok");
        });
      });
      after(() => server.close());
      const bytes = Buffer.from('{"text":"h\u00e9llo \u2713"}');
      // Cut inside both multi-byte characters.
      const at = [bytes.indexOf(0xc3) + 1, bytes.indexOf(0xe2) + 2];
      for (const body of [[bytes.subarray(0, at[0]), bytes.subarray(at[0], at[1]), bytes.subarray(at[1])], [bytes]]) {
        const response = await send({ url: server.url, method: "POST", headers: {}, body, client });
        assert.equal(await readAll(response.body), "ok");
      }
      assert.deepEqual(seen, [`${bytes.length} undefined ${bytes.toString()}`, `${bytes.length} undefined ${bytes.toString()}`]);
    });

    it("a caller that stops reading early keeps the connection for the next request", async () => {
      const server = await serve((_req, res) => {
        res.write("data: done\n\n");
        // The rest of the body comes after the caller has stopped reading.
        setTimeout(() => res.end(": trailing\n\n"), 30);
      });
      after(() => server.close());
      for (let i = 0; i < 3; i++) {
        const response = await send({ url: server.url, method: "GET", headers: {}, client });
        for await (const _chunk of response.body) break;
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      assert.equal(server.connections(), 1);
    });

    it("no headers in time: a retryable network_error that says so", async () => {
      const server = await serve(() => {});
      after(() => server.close());
      const error = await rejection(send({ url: server.url, method: "GET", headers: {}, headersTimeoutMs: 100, client }));
      assert.equal(error.code, "network_error");
      assert.equal(error.retryable, true);
      assert.match(error.message, /No response headers from http:\/\/127\.0\.0\.1:\d+ within 100 ms/);
    });

    it("a body that stalls: idle_timeout, retryable", async () => {
      const server = await serve((_req, res) => res.write("first"));
      after(() => server.close());
      const response = await send({ url: server.url, method: "GET", headers: {}, idleTimeoutMs: 100, client });
      const error = await rejection(readAll(response.body));
      assert.equal(error.code, "idle_timeout");
      assert.equal(error.retryable, true);
      assert.match(error.message, /No data from .* for 100 ms/);
    });

    it("a reader that stops reading does not hold the connection past the idle timeout", { timeout: 20_000 }, async () => {
      let closed: () => void = () => undefined;
      const gone = new Promise<void>((resolve) => (closed = resolve));
      // More than the bounded queue holds, then nothing: the client is paused with the socket open.
      const server = await serve((_req, res) => {
        res.on("close", closed);
        res.write(Buffer.alloc(8 * 1024 * 1024, 0x61));
      });
      after(() => server.close());
      const response = await send({ url: server.url, method: "GET", headers: {}, idleTimeoutMs: 100, client });
      const reader = response.body[Symbol.asyncIterator]();
      assert.equal((await reader.next()).done, false);
      // No more reads until the connection is gone: only the client's own timeout can end it.
      await gone;
      let error: unknown;
      try {
        while (!(await reader.next()).done);
      } catch (caught) {
        error = caught;
      }
      assert.ok(error instanceof ProviderError, "the body ends with an error, not as if complete");
      assert.equal(error.code, "idle_timeout");
    });

    it("abort before the answer, during the body, and before sending", async () => {
      let requests = 0;
      const server = await serve((req, res) => {
        requests++;
        if (req.url === "/body") res.write("part");
      });
      after(() => server.close());
      const early = new AbortController();
      const waiting = send({ url: server.url, method: "GET", headers: {}, signal: early.signal, client });
      setTimeout(() => early.abort(), 50);
      assert.equal((await rejection(waiting)).code, "aborted");

      const late = new AbortController();
      const response = await send({ url: `${server.url}/body`, method: "GET", headers: {}, signal: late.signal, client });
      const reading = readAll(response.body);
      setTimeout(() => late.abort(), 50);
      assert.equal((await rejection(reading)).code, "aborted");

      const seen = requests;
      const before = new AbortController();
      before.abort();
      assert.equal((await rejection(send({ url: server.url, method: "GET", headers: {}, signal: before.signal, client }))).code, "aborted");
      assert.equal(requests, seen, "an aborted signal sends nothing");
    });

    it("a connection reset mid-body is a retryable network_error, not a short answer", async () => {
      const server = await serve((req, res) => {
        res.writeHead(200, { "content-length": "100" });
        res.write("only part");
        setTimeout(() => req.socket.destroy(), 20);
      });
      after(() => server.close());
      const response = await send({ url: server.url, method: "GET", headers: {}, client });
      const error = await rejection(readAll(response.body));
      assert.equal(error.code, "network_error");
      assert.equal(error.retryable, true);
      assert.match(error.message, /closed mid-response/);
    });

    it("nothing listening: network_error with a hint about the port", async () => {
      const server = await serve(() => {});
      const { url } = server;
      await server.close();
      const error = await rejection(send({ url, method: "GET", headers: {}, client }));
      assert.equal(error.code, "network_error");
      assert.match(error.message, /ECONNREFUSED/);
      assert.match(error.hint ?? "", /Nothing is listening/);
    });

    it("a reader that falls behind holds the server back instead of buffering the body", async () => {
      let written = 0;
      let blocked = false;
      const server = await serve((_req, res) => {
        const chunk = Buffer.alloc(64 * 1024, "x");
        const pump = () => {
          while (written < 256 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) {
              blocked = true;
              return void res.once("drain", pump);
            }
          }
          res.end();
        };
        pump();
      });
      after(() => server.close());
      const response = await send({ url: server.url, method: "GET", headers: {}, client });
      const reader = response.body[Symbol.asyncIterator]();
      await reader.next();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(blocked, "the server's writes were held back");
      // 16 chunks in our queue plus the kernel's socket buffers; without backpressure the whole 256 MiB arrives.
      assert.ok(written < 32 * 1024 * 1024, `written ${written} bytes while the reader waited`);
      await reader.return?.(undefined);
      response.destroy();
    });
  });
}

describe("which client carries a request", () => {
  it("a proxied request goes through the proxy even when undici is asked for", async () => {
    const proxy = await startProxy();
    // Answers a GET with "via", a POST with its body.
    const server = await serve((req, res) => {
      if (req.method === "GET") return void res.end("via");
      req.pipe(res);
    });
    after(async () => {
      configureProxy({ env: {} });
      await server.close();
      await proxy.close();
    });
    configureProxy({ proxy: proxy.url, proxyOrigin: "flag", env: {} });
    const response = await send({ url: `${server.url}/x`, method: "GET", headers: {}, client: "undici" });
    assert.equal(await readAll(response.body), "via");
    // A body in parts goes through it whole.
    const parts = [Buffer.from('{"a":'), Buffer.from('"b"}')];
    const posted = await send({ url: `${server.url}/y`, method: "POST", headers: {}, body: parts, client: "undici" });
    assert.equal(await readAll(posted.body), '{"a":"b"}');
    assert.deepEqual(proxy.log.map((entry) => entry.line), [`GET ${server.url}/x`, `POST ${server.url}/y`]);
  });
});
