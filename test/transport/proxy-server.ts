// A real forward proxy on loopback for the proxy tests: CONNECT tunnels
// (RFC 9110 §9.3.6) and absolute-form HTTP requests (RFC 9112 §3.2.2), optional Basic auth
// (407 with Proxy-Authenticate otherwise), and a log of what passed through it.
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

interface ProxyLogEntry {
  /** `CONNECT 127.0.0.1:443` or `GET http://127.0.0.1:80/path`. */
  line: string;
  /** The Proxy-Authorization header as received, if any. */
  authorization?: string;
  /** The answer the proxy gave itself (407), or undefined when it forwarded. */
  refused?: number;
}

export interface TestProxy {
  url: string;
  port: number;
  log: ProxyLogEntry[];
  close(): Promise<void>;
}

export async function startProxy(options: { credentials?: string } = {}): Promise<TestProxy> {
  const log: ProxyLogEntry[] = [];
  const expected = options.credentials ? `Basic ${Buffer.from(options.credentials).toString("base64")}` : undefined;
  const sockets = new Set<Socket>();
  const authorized = (req: IncomingMessage, line: string): boolean => {
    const authorization = req.headers["proxy-authorization"];
    const ok = expected === undefined || authorization === expected;
    log.push({ line, authorization, refused: ok ? undefined : 407 });
    return ok;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const line = `${req.method} ${req.url}`;
    if (!authorized(req, line)) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"', "content-type": "text/plain" });
      return void res.end("proxy authentication required");
    }
    // Absolute form: the target is the request line's URL.
    const target = new URL(req.url!);
    const { "proxy-authorization": _auth, "proxy-connection": _conn, ...headers } = req.headers;
    const upstream = request({ hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });

  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (!authorized(req, `CONNECT ${req.url}`)) {
      return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
    }
    const { hostname, port } = new URL(`http://${req.url}`);
    const upstream = connect(Number(port), hostname.replace(/^\[(.*)\]$/, "$1"), () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => client.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
