// A proxy for the local-server rounds of bench/proxy.ts, run as a script in its own
// process: `node proxy-host.js serve|serve-on-disk|passthrough|parsing UPSTREAM` starts that
// proxy on a free loopback port and prints `{"url":…}` (`serve-on-disk` also keeps its
// responses on disk, `responses_store_hours = 1`). It loads only what its proxy needs: the
// pass-through and the parsing proxy no part of the library, none of them the peers'
// clients: ~9 MB of modules no real proxy carries, which changed how V8 collected the
// pass-through's 136 KB bodies (full collections in some runs, scavenges in others;
// docs/PERFORMANCE.md, "Fifteenth pass").
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent as UndiciAgent, request as undiciRequest } from "undici";
import { listen } from "#src/server/listen.js";
import { KEY, LOCAL_KEY } from "./keys.js";
import { answerQueries } from "./upstream.js";

/** The floor: every request forwarded as is over a keep-alive agent, the answer piped back. */
function passThrough(upstream: string): Promise<string> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const server = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  return listen(server, 0, "127.0.0.1");
}

/**
 * A reference point, not a floor: the least a proxy that owns the request must do, as
 * `serve` does with a Responses upstream. It reads the body and parses it, re-serializes
 * it, sends it with its own credential over undici's pool, and forwards the answer's
 * chunks as they come. No key check, store, retry, limits or timeouts.
 */
function parsingProxy(upstream: string): Promise<string> {
  const dispatcher = new UndiciAgent();
  const server = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as Record<string, unknown>;
      undiciRequest(`${upstream}${req.url}`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: JSON.stringify(body), dispatcher }).then(
        (answer) => {
          res.writeHead(answer.statusCode, { "content-type": "text/event-stream" });
          answer.body.on("data", (chunk: Buffer) => res.write(chunk));
          answer.body.on("end", () => res.end());
        },
        () => res.destroy(),
      );
    });
  });
  return listen(server, 0, "127.0.0.1");
}

async function host(kind: string, upstream: string): Promise<void> {
  answerQueries();
  let url: string;
  // An orderly exit on SIGTERM, so a child under callgrind writes its last counts.
  let cleanUp = () => {};
  process.once("SIGTERM", () => {
    cleanUp();
    process.exit(0);
  });
  if (kind === "passthrough") url = await passThrough(upstream);
  else if (kind === "parsing") url = await parsingProxy(upstream);
  else {
    const home = mkdtempSync(join(tmpdir(), "cp-bench-serve-"));
    cleanUp = () => rmSync(home, { recursive: true, force: true });
    const responseStore = kind === "serve-on-disk" ? { retentionHours: 1 } : undefined;
    const { createServer } = await import("#src/server/index.js");
    const server = await createServer({ provider: "openai", providerOptions: { apiKey: KEY, baseUrl: `${upstream}/v1` }, env: {}, home, apiKey: LOCAL_KEY, port: 0, responseStore });
    url = server.url;
  }
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

await host(process.argv[2], process.argv[3]);
