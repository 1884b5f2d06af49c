// A conversation through `serve`: turns chained with `previous_response_id`, each adding a
// ~1.6 KB user message to the context the server keeps for the next turn. What `serve`
// spends per turn (CPU in its own process) early in a conversation and deep into it: a
// server that keeps conversations should not pay per turn for every turn before it. The
// upstream answers every turn with the same response id, so each turn continues the one
// before, and a turn without `previous_response_id` starts the conversation over.
// `serve` runs the `openai` provider (bench/proxy.ts), which forwards the id: the
// upstream request stays one turn long, so what could grow per turn is `serve`'s own
// keeping of the conversation.
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { LOCAL_KEY } from "./proxy.js";
import { startChildHost } from "./upstream.js";

const TEXT = "Please look at this part of the code and tell me what it does. ".repeat(25);

export interface ConversationFigures {
  /** serve's CPU ms per turn over turns `early`…`early + window - 1` of a conversation. */
  earlyTurnMs: number;
  /** The same over the last `window` turns of `depth`. */
  deepTurnMs: number;
  early: number;
  depth: number;
}

export async function benchConversation(upstream: string, log: (line: string) => void, quick: boolean): Promise<ConversationFigures> {
  const serve = await startChildHost(fileURLToPath(new URL("./proxy.js", import.meta.url)), ["serve", upstream]);
  const turn = async (i: number) => {
    const body = JSON.stringify({ model: "gpt-5.5", input: [{ type: "message", role: "user", content: `${i}: ${TEXT}` }], stream: true, ...(i > 0 ? { previous_response_id: "resp_1" } : {}) });
    const answer = await request(`${serve.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${LOCAL_KEY}`, "content-type": "application/json" }, body });
    const text = await answer.body.text();
    if (answer.statusCode !== 200) throw new Error(`serve answered ${answer.statusCode}: ${text.slice(0, 200)}`);
  };
  /** Turns `from`…`to - 1` of the conversation; serve's CPU ms per turn. */
  const turns = async (from: number, to: number) => {
    const before = await serve.cpuMs();
    for (let i = from; i < to; i++) await turn(i);
    return ((await serve.cpuMs()) - before) / (to - from);
  };
  const depth = quick ? 40 : 600;
  const window = quick ? 10 : 100;
  const early = quick ? 5 : 100;
  try {
    // A whole conversation first, so the JIT's warm-up lands in neither figure.
    await turns(0, depth);
    await turns(0, early);
    const earlyTurnMs = await turns(early, early + window);
    await turns(early + window, depth - window);
    const deepTurnMs = await turns(depth - window, depth);
    log(`  serve CPU per turn: turns ${early + 1}–${early + window} ${earlyTurnMs.toFixed(3)} ms; turns ${depth - window + 1}–${depth} ${deepTurnMs.toFixed(3)} ms (${(deepTurnMs / earlyTurnMs).toFixed(2)}×; flat is 1×)`);
    return { earlyTurnMs, deepTurnMs, early, depth };
  } finally {
    serve.stop();
  }
}
