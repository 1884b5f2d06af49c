// Benchmarks: our transport against peers in the same run, reported as ratios.
// Loopback only. Run with `npm run bench` (results also land in .bench-results/).
//
//   call      one streaming call with 20 text deltas, sequential, per-call time
//   stream    one call with 20 000 deltas: events per second
//   memory    RSS per open (idle) stream, 400 concurrent streams
//   startup   `--version` vs `node -e 0`; `import("codex-provider")` vs bare node;
//             each with and without NODE_EXTRA_CA_CERTS
//   redact    1 MB of prose and of base64, patterns only vs 64 registered secrets
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createParser } from "eventsource-parser";
import OpenAI from "openai";
import { request as undiciRequest } from "undici";
import { createProvider } from "#src/index.js";
import { benchRedact } from "./redact.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const KEY = "sk-proj-benchbenchbenchbenchbench";

function sse(type: string, payload: Record<string, unknown>, seq: number): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq, ...payload })}\n\n`;
}

/** The server event set (docs/protocol.md#server-event-set) with `deltas` text deltas, pre-rendered once. */
function renderStream(deltas: number): Buffer {
  let seq = 0;
  const item = { id: "msg_1", type: "message", role: "assistant", status: "in_progress", content: [] };
  const parts = [
    sse("response.created", { response: { id: "resp_1", object: "response", model: "gpt-5.5", status: "in_progress", output: [] } }, seq++),
    sse("response.output_item.added", { output_index: 0, item }, seq++),
    sse("response.content_part.added", { item_id: "msg_1", output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [] } }, seq++),
  ];
  let text = "";
  for (let i = 0; i < deltas; i++) {
    const delta = `tok${i} `;
    text += delta;
    parts.push(sse("response.output_text.delta", { item_id: "msg_1", output_index: 0, content_index: 0, delta }, seq++));
  }
  const done = { ...item, status: "completed", content: [{ type: "output_text", text, annotations: [] }] };
  parts.push(sse("response.output_text.done", { item_id: "msg_1", output_index: 0, content_index: 0, text }, seq++));
  parts.push(sse("response.output_item.done", { output_index: 0, item: done }, seq++));
  parts.push(
    sse(
      "response.completed",
      {
        response: {
          id: "resp_1",
          object: "response",
          model: "gpt-5.5",
          status: "completed",
          output: [done],
          usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: deltas, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 + deltas },
        },
      },
      seq++,
    ),
  );
  return Buffer.from(parts.join(""));
}

/** A fixed-response SSE server, so the numbers measure clients, not the server. */
async function startFixedServer(): Promise<{ url: string; server: Server }> {
  const small = renderStream(20);
  const large = renderStream(20_000);
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      if (req.url?.startsWith("/large")) return void res.end(large);
      res.end(small);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * A server in a child process that answers with one event and then holds the stream
 * open, so this process's memory counts only the client side of each connection.
 */
async function startHoldServer(): Promise<{ url: string; stop(): void }> {
  const first = renderStream(20).toString().split("\n\n")[0] + "\n\n";
  const code = `
    const http = require("node:http");
    const first = ${JSON.stringify(first)};
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => { res.writeHead(200, { "content-type": "text/event-stream" }); res.write(first); });
    });
    server.maxConnections = 5000;
    server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
  `;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolvePort, reject) => {
    child.stdout.once("data", (d: Buffer) => resolvePort(d.toString().trim()));
    child.once("exit", () => reject(new Error("hold server exited")));
  });
  return { url: `http://127.0.0.1:${port}/hold`, stop: () => child.kill() };
}

type Client = () => Promise<number>; // resolves to the number of text deltas seen

const body = (stream = true) => JSON.stringify({ model: "gpt-5.5", input: "hi", stream });

function countDeltas(): { feed(chunk: string): void; count(): number } {
  let deltas = 0;
  const parser = createParser({
    onEvent(message) {
      const event = JSON.parse(message.data) as { type: string };
      if (event.type === "response.output_text.delta") deltas++;
    },
  });
  return { feed: (chunk) => parser.feed(chunk), count: () => deltas };
}

const clients: Record<string, (base: string) => Client> = {
  "codex-provider": (base) => {
    const provider = createProvider({ provider: "openai", apiKey: KEY, baseUrl: base, env: {} });
    return async () => {
      let n = 0;
      for await (const event of provider.stream({ input: "hi" })) if (event.type === "text_delta") n++;
      return n;
    };
  },
  "undici.request+eventsource-parser": (base) => async () => {
    const { body: stream } = await undiciRequest(`${base}/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", accept: "text/event-stream" },
      body: body(),
    });
    const counter = countDeltas();
    const decoder = new TextDecoder();
    for await (const chunk of stream) counter.feed(decoder.decode(chunk as Buffer, { stream: true }));
    return counter.count();
  },
  "fetch+eventsource-parser": (base) => async () => {
    const res = await fetch(`${base}/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", accept: "text/event-stream" },
      body: body(),
    });
    const counter = countDeltas();
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) counter.feed(decoder.decode(chunk, { stream: true }));
    return counter.count();
  },
  "openai SDK": (base) => {
    const sdk = new OpenAI({ apiKey: KEY, baseURL: base, maxRetries: 0 });
    return async () => {
      let n = 0;
      const stream = await sdk.responses.create({ model: "gpt-5.5", input: "hi", stream: true });
      for await (const event of stream) if (event.type === "response.output_text.delta") n++;
      return n;
    };
  },
};

async function timePerCall(client: Client, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await client();
  return Number(process.hrtime.bigint() - start) / 1e6 / iterations;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeCommand(args: string[], env: NodeJS.ProcessEnv, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env, cwd: root, stdio: "ignore" });
    if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}`);
    if (i >= 2) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

const results: Record<string, unknown> = {};
const lines: string[] = [];
const log = (line = "") => {
  lines.push(line);
  console.log(line);
};
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const iterations = quick ? 300 : 2000;
  const fixed = await startFixedServer();
  log(`codex-provider benchmarks — node ${process.version}, ${new Date().toISOString()}`);

  // Memory first, while the heap holds nothing from the other runs.
  // --- memory per open stream ------------------------------------------------
  const open = 1000;
  log(`\n## Memory per open stream (${open} concurrent idle streams; the server runs in another process)`);
  const holder = await startHoldServer();
  const provider = createProvider({ provider: "openai", apiKey: KEY, baseUrl: holder.url, env: {}, idleTimeoutMs: 120_000 });
  global.gc?.();
  const before = process.memoryUsage();
  const controllers: AbortController[] = [];
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < open; i++) {
    const controller = new AbortController();
    controllers.push(controller);
    const stream = provider.stream({ input: "hi" }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    pending.push(iterator.next().then(() => iterator));
  }
  const iterators = (await Promise.all(pending)) as AsyncIterator<unknown>[];
  global.gc?.();
  const after = process.memoryUsage();
  const perStreamKb = (after.rss - before.rss) / open / 1024;
  const heapPerStreamKb = (after.heapUsed + after.external - before.heapUsed - before.external) / open / 1024;
  log(`  codex-provider                       ${perStreamKb.toFixed(1)} KB RSS, ${heapPerStreamKb.toFixed(1)} KB heap per open stream (target ≤ 50 KB)`);
  results.rssPerOpenStreamKb = perStreamKb;
  results.heapPerOpenStreamKb = heapPerStreamKb;
  for (const c of controllers) c.abort();
  await Promise.allSettled(iterators.map((it) => it.next()));
  holder.stop();

  // --- per-call cost ---------------------------------------------------------
  log(`\n## One streaming call, 20 deltas (${iterations} sequential calls per client in 7 interleaved rounds, median ms per call; lower is better)`);
  // Rounds interleave the clients so JIT warm-up and machine noise hit all of them
  // alike; each client's figure is the median of its round means.
  const perCallClients = Object.entries(clients).map(([name, make]) => [name, make(`${fixed.url}/v1`)] as const);
  for (const [name, client] of perCallClients) {
    if ((await client()) !== 20) throw new Error(`${name} did not see 20 deltas`);
    for (let i = 0; i < 300; i++) await client();
  }
  const rounds = 7;
  const samples = new Map<string, number[]>(perCallClients.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, client] of perCallClients) samples.get(name)!.push(await timePerCall(client, Math.ceil(iterations / rounds)));
  }
  const perCall: Record<string, number> = {};
  for (const [name, values] of samples) perCall[name] = median(values);
  const baseline = perCall["undici.request+eventsource-parser"];
  for (const [name, ms] of Object.entries(perCall)) log(`  ${name.padEnd(36)} ${ms.toFixed(3)} ms   ${ratio(ms, baseline)} of undici+parser`);
  results.perCallMs = perCall;

  // --- throughput --------------------------------------------------------------
  log(`\n## Stream throughput, one call with 20 000 deltas (events/s, median of interleaved rounds; higher is better)`);
  const largeClients = Object.entries(clients).map(([name, make]) => [name, make(`${fixed.url}/large`)] as const);
  for (const [, client] of largeClients) await client();
  const rates = new Map<string, number[]>(largeClients.map(([name]) => [name, []]));
  for (let round = 0; round < (quick ? 3 : 9); round++) {
    for (const [name, client] of largeClients) {
      const start = process.hrtime.bigint();
      if ((await client()) !== 20_000) throw new Error(`${name} lost deltas`);
      rates.get(name)!.push(20_000 / (Number(process.hrtime.bigint() - start) / 1e9));
    }
  }
  const throughput: Record<string, number> = {};
  for (const [name, values] of rates) throughput[name] = median(values);
  const sdkRate = throughput["openai SDK"];
  for (const [name, rate] of Object.entries(throughput)) log(`  ${name.padEnd(36)} ${Math.round(rate).toLocaleString("en")} ev/s   ${ratio(rate, sdkRate)} the SDK`);
  results.throughputEventsPerSecond = throughput;

  // --- startup -----------------------------------------------------------------
  const runs = quick ? 5 : 15;
  log(`\n## Cold start (median of ${runs} runs, ms)`);
  const withCa = { ...process.env };
  const withoutCa = { ...process.env };
  delete withoutCa.NODE_EXTRA_CA_CERTS;
  const startup: Record<string, Record<string, number>> = {};
  for (const [label, env] of [
    [`NODE_EXTRA_CA_CERTS ${withCa.NODE_EXTRA_CA_CERTS ? "set" : "unset"}`, withCa],
    ["NODE_EXTRA_CA_CERTS unset", withoutCa],
  ] as const) {
    const bare = timeCommand(["-e", "0"], env, runs);
    const version = timeCommand([join(root, "bin/codex-provider.js"), "--version"], env, runs);
    const importBare = timeCommand(["--input-type=module", "-e", "0"], env, runs);
    const importLib = timeCommand(["--input-type=module", "-e", `await import(${JSON.stringify(join(root, "dist/index.js"))})`], env, runs);
    startup[label] = { nodeE0: bare, version, importLib, importBare };
    log(`  [${label}] node -e 0: ${bare.toFixed(1)}   --version: ${version.toFixed(1)} (${ratio(version, bare)}, target ≤ 1.5×)   import("codex-provider"): +${(importLib - importBare).toFixed(1)} ms over bare (target ≤ 30)`);
  }
  results.startupMs = startup;
  results.redact = benchRedact(log, quick);

  fixed.server.close();
  fixed.server.closeAllConnections();
  const outDir = join(root, ".bench-results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "latest.json"), `${JSON.stringify({ node: process.version, date: new Date().toISOString(), ...results }, null, 2)}\n`);
  writeFileSync(join(outDir, "latest.txt"), `${lines.join("\n")}\n`);
  log(`\nSaved .bench-results/latest.{json,txt}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
