// The local server's cost: one client (undici.request + eventsource-parser, the floor)
// straight to the upstream, through `serve` (createServer), and through a minimal
// node:http pass-through proxy (the floor for any proxy), at 1 and 64 concurrent
// streams. Each proxy runs in its own process, as does the upstream.
//
// Run as a script (`node proxy.js serve|passthrough UPSTREAM`) it starts that proxy on
// a free loopback port and prints `{"url":…}`.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, Agent } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "#src/server/index.js";
import { clients, FLOOR, KEY } from "./clients.js";
import { median, percentile, signed, since } from "./measure.js";
import { startChildHost } from "./upstream.js";

const LOCAL_KEY = "bench-local-key-0123456789abcdef";

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
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function host(kind: string, upstream: string): Promise<void> {
  let url: string;
  if (kind === "passthrough") url = await passThrough(upstream);
  else {
    const home = mkdtempSync(join(tmpdir(), "cp-bench-serve-"));
    process.once("SIGTERM", () => {
      rmSync(home, { recursive: true, force: true });
      process.exit(0);
    });
    const server = await createServer({ provider: "openai", providerOptions: { apiKey: KEY, baseUrl: `${upstream}/v1` }, env: {}, home, apiKey: LOCAL_KEY, port: 0 });
    url = server.url;
  }
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

interface LoadFigures {
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
}

/** `total` calls from `concurrency` workers, each call timed. */
async function load(call: () => Promise<number>, concurrency: number, total: number): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const began = process.hrtime.bigint();
        if ((await call()) !== 20) throw new Error("a proxied call lost deltas");
        latencies.push(since(began));
      }
    }),
  );
  return { latencies, wallMs: since(start) };
}

export async function benchProxy(upstream: string, log: (line: string) => void, quick: boolean): Promise<Record<string, Record<string, LoadFigures>>> {
  const script = fileURLToPath(import.meta.url);
  const [serve, floor] = await Promise.all([startChildHost(script, ["serve", upstream]), startChildHost(script, ["passthrough", upstream])]);
  try {
    const targets = {
      direct: clients[FLOOR](`${upstream}/v1`),
      "pass-through proxy": clients[FLOOR](`${floor.url}/v1`, KEY),
      serve: clients[FLOOR](`${serve.url}/v1`, LOCAL_KEY),
    };
    const rounds = quick ? 1 : 5;
    const out: Record<string, Record<string, LoadFigures>> = {};
    for (const concurrency of [1, 64]) {
      const total = (quick ? 50 : 1000) * (concurrency === 1 ? 1 : 4);
      for (const call of Object.values(targets)) await load(call, concurrency, Math.min(total, 200));
      const samples = new Map<string, { latencies: number[]; rates: number[] }>(Object.keys(targets).map((name) => [name, { latencies: [], rates: [] }]));
      for (let round = 0; round < rounds; round++) {
        for (const [name, call] of Object.entries(targets)) {
          const { latencies, wallMs } = await load(call, concurrency, total);
          samples.get(name)!.latencies.push(...latencies);
          samples.get(name)!.rates.push(total / (wallMs / 1000));
        }
      }
      const figures: Record<string, LoadFigures> = {};
      for (const [name, { latencies, rates }] of samples) {
        figures[name] = { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), callsPerSecond: median(rates) };
      }
      out[`concurrency${concurrency}`] = figures;
      log(`  ${concurrency} concurrent stream${concurrency === 1 ? "" : "s"} (${total} calls × ${rounds} rounds):`);
      const direct = figures.direct;
      const addedFloor = { p50: figures["pass-through proxy"].p50Ms - direct.p50Ms, p99: figures["pass-through proxy"].p99Ms - direct.p99Ms };
      for (const [name, f] of Object.entries(figures)) {
        const added = name === "direct" ? "" : `   added p50 ${signed(f.p50Ms - direct.p50Ms)} ms, p99 ${signed(f.p99Ms - direct.p99Ms)} ms`;
        const vsFloor =
          name === "serve"
            ? `   (${((f.p50Ms - direct.p50Ms) / addedFloor.p50).toFixed(2)}× / ${((f.p99Ms - direct.p99Ms) / addedFloor.p99).toFixed(2)}× the pass-through's added latency; ${(f.callsPerSecond / figures["pass-through proxy"].callsPerSecond).toFixed(2)}× its throughput)`
            : "";
        log(`    ${name.padEnd(20)} p50 ${f.p50Ms.toFixed(3)} ms  p99 ${f.p99Ms.toFixed(3)} ms  ${Math.round(f.callsPerSecond).toLocaleString("en")} calls/s${added}${vsFloor}`);
      }
    }
    return out;
  } finally {
    serve.stop();
    floor.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await host(process.argv[2], process.argv[3]);
