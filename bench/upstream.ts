// The upstream the benchmarks call: a fixed-response SSE server in its own process, so
// the client's CPU (process.cpuUsage) and memory count the client alone and the numbers
// measure clients, not the server.
//
//   /…/responses        the server event set with 20 text deltas
//   /large/responses    the same with 20 000 deltas (throughput)
//   /delayed/responses  20 deltas after FIRST_BYTE_DELAY_MS with no byte sent (time to first token)
//   /hold/responses     the first event, then the stream stays open (memory per open stream)
//   /numbered/responses 20 deltas, each answer with a new response id (a conversation's turns)
//   GET …/models        a one-model list, so `serve`'s model check passes
//
// Run as a script it listens on a free loopback port and prints `{"url":…}` on stdout;
// `upstream.js agent` answers every stream with a response object that repeats an agent's
// instructions and tools (~16 KB per event, as Codex CLI's requests make it), for the
// serve figures of agent traffic (`--instructions-serve --agent`). `upstream.js paced`
// writes each event of a stream on its own, the next one a loop turn later, as the API
// sends events while the model generates them: a proxy then reads and writes one network
// chunk per event rather than one per call (no timer, so the run measures the proxies).
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import v8 from "node:v8";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

export const FIRST_BYTE_DELAY_MS = 50;

function sse(type: string, payload: Record<string, unknown>, seq: number): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq, ...payload })}\n\n`;
}

/** What an agent's response object repeats from its request: long instructions and a dozen tools. */
function agentRequestEcho(): Record<string, unknown> {
  const tool = (i: number) => ({
    type: "function",
    name: `tool_${i}`,
    description: `Does thing ${i}. `.repeat(30),
    parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    strict: false,
  });
  return { instructions: "You are a coding agent. ".repeat(500), tools: Array.from({ length: 12 }, (_, i) => tool(i)) };
}

/**
 * The server event set (docs/protocol.md#server-event-set) with `deltas` text deltas,
 * pre-rendered once. `echo` (an agent's stream) goes into every response object, and the
 * stream then has `response.in_progress` too, as the Platform's do.
 */
function renderStream(deltas: number, echo?: Record<string, unknown>): Buffer {
  let seq = 0;
  const item = { id: "msg_1", type: "message", role: "assistant", status: "in_progress", content: [] };
  const opening = { id: "resp_1", object: "response", model: "gpt-5.5", ...echo, status: "in_progress", output: [] };
  const parts = [
    sse("response.created", { response: opening }, seq++),
    ...(echo ? [sse("response.in_progress", { response: opening }, seq++)] : []),
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
  const usage = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: deltas, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 + deltas };
  parts.push(sse("response.completed", { response: { ...opening, status: "completed", output: [done], usage } }, seq++));
  return Buffer.from(parts.join(""));
}

const MODELS = JSON.stringify({ object: "list", data: [{ id: "gpt-5.5", object: "model", created: 0, owned_by: "openai" }] });

/** How the upstream answers: the default writes each stream at once. */
export type UpstreamMode = "agent" | "paced";

/** `events` one write each, the next a loop turn after the previous one went out. */
function writePaced(res: ServerResponse, events: Buffer[], at = 0): void {
  if (res.destroyed) return;
  if (at === events.length - 1) return void res.end(events[at]);
  res.write(events[at]);
  setImmediate(writePaced, res, events, at + 1);
}

function serve(mode: UpstreamMode | undefined): void {
  const small = renderStream(20, mode === "agent" ? agentRequestEcho() : undefined);
  const smallEvents = small
    .toString()
    .split("\n\n")
    .filter((event) => event !== "")
    .map((event) => Buffer.from(`${event}\n\n`));
  const large = renderStream(20_000);
  const first = small.toString().split("\n\n")[0] + "\n\n";
  const smallText = small.toString();
  let answered = 0;
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on("end", () => {
      const path = req.url ?? "/";
      if (req.method === "GET" && path.endsWith("/models")) {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(MODELS);
      }
      const answer = () => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        if (path.startsWith("/hold")) return void res.write(first);
        if (path.startsWith("/large")) return void res.end(large);
        // A new response id for every answer, as the Platform gives.
        if (path.startsWith("/numbered")) return void res.end(smallText.replaceAll('"resp_1"', `"resp_n${++answered}"`));
        if (mode === "paced") writePaced(res, smallEvents);
        else res.end(small);
      };
      if (path.startsWith("/delayed")) setTimeout(answer, FIRST_BYTE_DELAY_MS);
      else answer();
    });
  });
  server.maxConnections = 5000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`));
}

export interface ChildHost {
  url: string;
  /** The child's process id (valgrind's, when it runs under a wrapper: valgrind runs the program in its own process). */
  pid: number;
  stop(): void;
  /** Resolves once the child has exited (a child under valgrind writes its counts first). */
  exited: Promise<void>;
  /** CPU ms (user + system) the child has used so far; the child must call answerQueries(). */
  cpuMs(): Promise<number>;
  /** Start watching the child's garbage collector (v8.GCProfiler); the child must call answerQueries(). */
  watchGc(): Promise<void>;
  /** Stop watching it: what the collector did since watchGc(). */
  gcSummary(): Promise<GcSummary>;
  /** Start a CPU profile in the child (node:inspector), so a window after the warm-up can be profiled; the child must call answerQueries(). */
  profileStart(): Promise<void>;
  /** Stop it and write the profile (a `.cpuprofile`, as `--cpu-prof` writes) to `file`. */
  profileStop(file: string): Promise<void>;
}

/** What a child's garbage collector did while it was watched. */
export interface GcSummary {
  scavenges: number;
  /** Time in scavenges, ms. */
  scavengeMs: number;
  /**
   * The share of the young generation that survived its scavenges (kept young or
   * promoted). A few per cent is normal; much more means finished work is being kept
   * alive, as a per-request hidden class once did in `serve` (docs/PERFORMANCE.md).
   */
  survival: number;
  /** Full (mark-compact) collections. */
  fullGcs: number;
}

type GcStatistics = v8.GCProfilerResult["statistics"][number];

function spaceUsed(heap: GcStatistics["beforeGC"], space: string): number {
  return heap.heapSpaceStatistics.find((entry) => entry.spaceName === space)?.spaceUsedSize ?? 0;
}

function summariseGc(statistics: GcStatistics[]): GcSummary {
  const summary: GcSummary = { scavenges: 0, scavengeMs: 0, survival: 0, fullGcs: 0 };
  let young = 0;
  let survived = 0;
  for (const gc of statistics) {
    if (gc.gcType === "MarkSweepCompact") summary.fullGcs++;
    if (gc.gcType !== "Scavenge") continue;
    summary.scavenges++;
    summary.scavengeMs += gc.cost / 1000;
    young += spaceUsed(gc.beforeGC, "new_space");
    survived += spaceUsed(gc.afterGC, "new_space") + Math.max(0, spaceUsed(gc.afterGC, "old_space") - spaceUsed(gc.beforeGC, "old_space"));
  }
  summary.survival = young > 0 ? survived / young : 0;
  return summary;
}

/** In a child host: answer the parent's queries (CPU time, GC watching, CPU profiles) over the IPC channel. */
export function answerQueries(): void {
  let profiler: v8.GCProfiler | undefined;
  let session: Session | undefined;
  process.on("message", async (query) => {
    if (query === "profile-start") {
      session = new Session();
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
      process.send?.(true);
    } else if (typeof query === "string" && query.startsWith("profile-stop ")) {
      const { profile } = await session!.post("Profiler.stop");
      session!.disconnect();
      writeFileSync(query.slice("profile-stop ".length), JSON.stringify(profile));
      process.send?.(true);
    } else if (query === "gc-watch") {
      profiler = new v8.GCProfiler();
      profiler.start();
      process.send?.(true);
    } else if (query === "gc-summary") {
      process.send?.(summariseGc(profiler?.stop().statistics ?? []));
      profiler = undefined;
    } else {
      const used = process.cpuUsage();
      process.send?.((used.user + used.system) / 1000);
    }
  });
}

/**
 * Starts a bench script as a child process (under `wrapper`, e.g. valgrind, when given;
 * node run with `nodeArgs`) and waits for the `{"url":…}` line it prints.
 */
export async function startChildHost(script: string, args: string[] = [], wrapper: string[] = [], nodeArgs: string[] = []): Promise<ChildHost> {
  const command = [...wrapper, process.execPath, ...nodeArgs, script, ...args];
  const child = spawn(command[0], command.slice(1), { stdio: ["ignore", "pipe", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("\n")) resolve((JSON.parse(text.split("\n")[0]) as { url: string }).url);
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code})`)));
  });
  // One query at a time: each answer is the next message.
  const ask = <T>(query: string) =>
    new Promise<T>((resolve) => {
      child.once("message", (answer) => resolve(answer as T));
      child.send(query);
    });
  return {
    url,
    pid: child.pid!,
    stop: () => child.kill(),
    exited,
    cpuMs: () => ask<number>("cpu"),
    watchGc: () => ask<void>("gc-watch"),
    gcSummary: () => ask<GcSummary>("gc-summary"),
    profileStart: () => ask<void>("profile-start"),
    profileStop: (file) => ask<void>(`profile-stop ${file}`),
  };
}

/** The bench upstream in its own process (see UpstreamMode). */
export function startUpstream(mode?: UpstreamMode): Promise<ChildHost> {
  return startChildHost(fileURLToPath(import.meta.url), mode ? [mode] : []);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(process.argv[2] as UpstreamMode | undefined);
