// Server-sent events out. Each event is framed into one string and written with one
// `res.write`, so a client sees events arrive whole unless a fault says otherwise.
// Delivery faults (framing, pacing, reset/truncate/idle/malformed) are applied here,
// identically for Responses and Chat Completions streams.
import { setTimeout as sleep } from "node:timers/promises";
import type { DeliveryPlan } from "./faults.js";
import type { Exchange } from "./http.js";

export interface SseEvent {
  /** `event:` line; omitted for Chat Completions, which sends bare `data:` lines. */
  event?: string;
  /** Already-serialized payload. */
  data: string;
  /** Counts towards `after` for mid-stream faults and receives `deltaDelayMs`. */
  delta?: boolean;
}

const NEWLINE = { lf: "\n", crlf: "\r\n", cr: "\r" } as const;

function frame(event: SseEvent, nl: string, data = event.data): string {
  return event.event ? `event: ${event.event}${nl}data: ${data}${nl}${nl}` : `data: ${data}${nl}${nl}`;
}

/**
 * Where a fault breaks into a stream: the index of the delta after the first `after`
 * deltas (or of the first `before` event, when named), or the last (terminal) event
 * when there is no such event.
 */
export function cutIndex(events: readonly SseEvent[], after: number, before?: string): number {
  let deltas = 0;
  const index = before === undefined ? events.findIndex((event) => event.delta && ++deltas > after) : events.findIndex((event) => event.event === before);
  return index < 0 ? events.length - 1 : index;
}

/** Stream `events` as a 200 text/event-stream response following `plan`. */
export async function playStream(ex: Exchange, events: readonly SseEvent[], plan: DeliveryPlan): Promise<void> {
  ex.openStream();
  const nl = NEWLINE[plan.framing];
  const cut = plan.cut;
  const cutAt = cut ? cutIndex(events, cut.after, cut.before) : -1;
  for (let i = 0; i < events.length; i += 1) {
    const event = events[i];
    if (i === cutAt && cut) {
      if (cut.kind === "reset") return ex.destroy();
      if (cut.kind === "truncate") return void ex.res.end();
      if (cut.kind === "idle") return ex.closed;
      // malformed: one extra event whose JSON is cut in half; the real stream continues.
      if (!ex.write(frame(event, nl, event.data.slice(0, Math.ceil(event.data.length / 2))))) await ex.drained();
    }
    const delay = plan.eventDelayMs + (event.delta ? plan.deltaDelayMs : 0);
    if (delay > 0) await sleep(delay);
    if (!ex.open) return;
    if (!ex.write(frame(event, nl))) await ex.drained();
  }
  ex.res.end();
}
