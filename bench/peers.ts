// The per-call and throughput rounds: every client against the same upstream, in
// interleaved rounds so JIT warm-up and machine noise hit all of them alike. Each
// figure is the median of the client's round means: wall time and this process's CPU
// time per call (the upstream runs in another process, so CPU counts the client alone).
//
// Run as a script (`node peers.js URL [--quick]`) it prints the figures as JSON: that
// is how the Node 24 column is measured (`npm run bench -- --node24`).
import { fileURLToPath } from "node:url";
import { clients } from "./clients.js";
import { balancedOrder, type CallCost, median, since, timeCalls } from "./measure.js";

export interface PeerFigures {
  node: string;
  /** Per streaming call with 20 deltas. */
  perCall: Record<string, CallCost>;
  /** One call with 20 000 deltas: events per second and CPU microseconds per event. */
  throughput: Record<string, { eventsPerSecond: number; cpuUsPerEvent: number }>;
}

/** Rounds per section: a whole number of balanced orders (balancedOrder) of the clients. */
export const ROUNDS = 2 * Object.keys(clients).length;

export async function peerRounds(upstream: string, quick: boolean): Promise<PeerFigures> {
  const iterations = quick ? 140 : 2000;
  const perCallClients = Object.entries(clients).map(([name, make]) => [name, make(`${upstream}/v1`)] as const);
  for (const [name, client] of perCallClients) {
    if ((await client()) !== 20) throw new Error(`${name} did not see 20 deltas`);
  }
  // V8 needs a few thousand calls before its optimising compiler stops working on a
  // client's hot path (its background compile threads count in process.cpuUsage):
  // warm-up runs in interleaved blocks so every client reaches its steady state and
  // shares the others' garbage alike.
  for (let block = 0; block < (quick ? 1 : 10); block++) {
    for (const [, client] of perCallClients) for (let i = 0; i < (quick ? 20 : 300); i++) await client();
  }
  const samples = new Map<string, CallCost[]>(perCallClients.map(([name]) => [name, []]));
  // The client measured right after the openai SDK or pi-ai pays for collecting their
  // garbage (on Node 24, 2-4× the CPU per event in the throughput rounds), so the order
  // changes from round to round and each client follows each other one equally often.
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of balancedOrder(perCallClients.length, round)) {
      const [name, client] = perCallClients[k];
      samples.get(name)!.push(await timeCalls(client, Math.ceil(iterations / ROUNDS)));
    }
  }
  const perCall: PeerFigures["perCall"] = {};
  for (const [name, values] of samples) perCall[name] = { wallMs: median(values.map((v) => v.wallMs)), cpuMs: median(values.map((v) => v.cpuMs)) };

  const events = 20_000;
  const largeClients = Object.entries(clients).map(([name, make]) => [name, make(`${upstream}/large`)] as const);
  for (const [, client] of largeClients) await client();
  const rates = new Map<string, { eventsPerSecond: number; cpuUsPerEvent: number }[]>(largeClients.map(([name]) => [name, []]));
  for (let round = 0; round < (quick ? 1 : ROUNDS); round++) {
    for (const k of balancedOrder(largeClients.length, round)) {
      const [name, client] = largeClients[k];
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      if ((await client()) !== events) throw new Error(`${name} lost deltas`);
      const wallMs = since(start);
      const used = process.cpuUsage(cpu);
      rates.get(name)!.push({ eventsPerSecond: events / (wallMs / 1000), cpuUsPerEvent: (used.user + used.system) / events });
    }
  }
  const throughput: PeerFigures["throughput"] = {};
  for (const [name, values] of rates) {
    throughput[name] = { eventsPerSecond: median(values.map((v) => v.eventsPerSecond)), cpuUsPerEvent: median(values.map((v) => v.cpuUsPerEvent)) };
  }
  return { node: process.version, perCall, throughput };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await peerRounds(process.argv[2], process.argv.includes("--quick"));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
