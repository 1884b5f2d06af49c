// A conversation through `serve`: turns chained with `previous_response_id`, each adding a
// ~1.6 KB user message to the context the server keeps for the next turn. What `serve`
// spends per turn (CPU in its own process) early in a conversation and deep into it: a
// server that keeps conversations should not pay per turn for every turn before it. The
// upstream gives every answer a new response id, as the Platform does; each turn continues
// the one before, and a turn without `previous_response_id` starts the conversation over.
// `serve` runs the `openai` provider (bench/proxy.ts), which forwards the id: the
// upstream request stays one turn long, so what could grow per turn is `serve`'s own
// keeping of the conversation. It runs twice: keeping responses in memory (the default),
// and also on disk (`responses_store_hours = 1`), where each kept response is also a file
// (a follow-up's holds its own turn). On disk the client pauses between turns, as a person or a
// model would, so each turn's file is written before the next turn (a client faster than
// the disk gets its files coalesced, which would hide their cost); the pause is left out
// of the wall time per turn, the time a turn takes as the client sees it. A window of
// 100 turns is ~0.1 s of `serve`'s CPU, which one burst of another process on this host
// moves by half: each kind runs several conversations, each in a fresh `serve`, and the
// figures are their medians.
import { setTimeout } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { median } from "./measure.js";
import { LOCAL_KEY } from "./keys.js";
import { startChildHost } from "./upstream.js";

const TEXT = "Please look at this part of the code and tell me what it does. ".repeat(25);

/** One conversation's figures. */
interface Run {
  /** serve's CPU ms per turn over turns `early`…`early + window - 1` of a conversation. */
  earlyTurnMs: number;
  /** The same over the last `window` turns of `depth`. */
  deepTurnMs: number;
  /** Wall ms per turn, as the client sees it, over the same turns. */
  earlyWallMs: number;
  deepWallMs: number;
}

/** The medians over the conversations, and each one's growth (deep CPU over early). */
export interface ConversationFigures extends Run {
  growths: number[];
  early: number;
  depth: number;
}

export async function benchConversation(upstream: string, log: (line: string) => void, quick: boolean): Promise<Record<"memory" | "onDisk", ConversationFigures>> {
  const shape = quick ? { depth: 40, window: 10, early: 5 } : { depth: 600, window: 100, early: 100 };
  log(`  responses kept in memory (the default), ${quick ? 1 : 5} conversations:`);
  const memory = await conversations(upstream, "serve", 0, quick ? 1 : 5, shape, log);
  log(`  responses kept on disk too (responses_store_hours = 1), ${DISK_PAUSE_MS} ms between turns, ${quick ? 1 : 3} conversations:`);
  const onDisk = await conversations(upstream, "serve-on-disk", DISK_PAUSE_MS, quick ? 1 : 3, shape, log);
  return { memory, onDisk };
}

interface Shape {
  depth: number;
  window: number;
  early: number;
}

async function conversations(upstream: string, kind: string, pauseMs: number, count: number, shape: Shape, log: (line: string) => void): Promise<ConversationFigures> {
  const runs: Run[] = [];
  for (let i = 0; i < count; i++) runs.push(await conversation(upstream, kind, pauseMs, shape));
  const figures: ConversationFigures = {
    earlyTurnMs: median(runs.map((run) => run.earlyTurnMs)),
    deepTurnMs: median(runs.map((run) => run.deepTurnMs)),
    earlyWallMs: median(runs.map((run) => run.earlyWallMs)),
    deepWallMs: median(runs.map((run) => run.deepWallMs)),
    growths: runs.map((run) => run.deepTurnMs / run.earlyTurnMs),
    ...shape,
  };
  const span = `turns ${shape.early + 1}–${shape.early + shape.window} → ${shape.depth - shape.window + 1}–${shape.depth}`;
  const growth = (a: number, b: number) => `${a.toFixed(3)} → ${b.toFixed(3)} ms (${(b / a).toFixed(2)}×; flat is 1×)`;
  const each = count > 1 ? `; each conversation ${figures.growths.map((g) => `${g.toFixed(2)}×`).join(", ")}` : "";
  log(`    serve CPU per turn, ${span}: ${growth(figures.earlyTurnMs, figures.deepTurnMs)}${count > 1 ? `, medians${each}` : ""}`);
  log(`    wall per turn (client), ${span}: ${growth(figures.earlyWallMs, figures.deepWallMs)}${count > 1 ? ", medians" : ""}`);
  return figures;
}

/** Time for `serve` to write a turn's file (two fsyncs, ~1 ms for 1 MB here) before the next turn. */
const DISK_PAUSE_MS = 20;

/** One conversation in a fresh `serve`, after a whole one to warm it. */
async function conversation(upstream: string, kind: string, pauseMs: number, { depth, window, early }: Shape): Promise<Run> {
  const serve = await startChildHost(fileURLToPath(new URL("./proxy-host.js", import.meta.url)), [kind, `${upstream}/numbered`]);
  let previous: string | undefined;
  const turn = async (i: number) => {
    const body = JSON.stringify({ model: "gpt-5.5", input: [{ type: "message", role: "user", content: `${i}: ${TEXT}` }], stream: true, ...(i > 0 ? { previous_response_id: previous } : {}) });
    const answer = await request(`${serve.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${LOCAL_KEY}`, "content-type": "application/json" }, body });
    const text = await answer.body.text();
    if (answer.statusCode !== 200) throw new Error(`serve answered ${answer.statusCode}: ${text.slice(0, 200)}`);
    previous = /"id":"(resp_n\d+)"/.exec(text)?.[1];
    if (!previous) throw new Error(`serve's answer carried no response id: ${text.slice(0, 200)}`);
  };
  /** Turns `from`…`to - 1` of the conversation; serve's CPU ms and the wall ms per turn. */
  const turns = async (from: number, to: number) => {
    const before = await serve.cpuMs();
    let wallMs = 0;
    for (let i = from; i < to; i++) {
      if (pauseMs > 0) await setTimeout(pauseMs);
      const began = performance.now();
      await turn(i);
      wallMs += (performance.now() - began) / (to - from);
    }
    return { cpuMs: ((await serve.cpuMs()) - before) / (to - from), wallMs };
  };
  try {
    // A whole conversation first, so the JIT's warm-up lands in neither figure.
    await turns(0, depth);
    await turns(0, early);
    const first = await turns(early, early + window);
    await turns(early + window, depth - window);
    const last = await turns(depth - window, depth);
    return { earlyTurnMs: first.cpuMs, deepTurnMs: last.cpuMs, earlyWallMs: first.wallMs, deepWallMs: last.wallMs };
  } finally {
    serve.stop();
  }
}
