// A one-line spinner on stderr while waiting (first token, login), drawn as the stderr
// writer's status line so any other stderr line erases it first. Only on a terminal:
// piped or redirected stderr gets nothing, so logs and scripts stay clean. Colour
// follows the context (never with NO_COLOR); the spinner itself is not colour.
import type { StreamEvent } from "../types.js";
import type { CliContext } from "./context.js";
import { style } from "./format.js";

/** Stream events that end the wait for a model: the spinner stops at the first of them. */
export const FIRST_OUTPUT = new Set<StreamEvent["type"]>([
  "text_delta",
  "commentary_delta",
  "refusal_delta",
  "reasoning_summary_delta",
  "reasoning_text_delta",
  "function_call_arguments_delta",
  "function_call",
  "done",
]);

export interface Spinner {
  /** Erase the spinner line; safe to call more than once. */
  stop(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const INTERVAL_MS = 80;

const NONE: Spinner = { stop() {} };

/** Calls `tick` every `ms` until cancelled; injectable so tests step frames instead of waiting. */
export type Repeat = (tick: () => void, ms: number) => () => void;

const everyInterval: Repeat = (tick, ms) => {
  const timer = setInterval(tick, ms);
  // Never keep the process alive for a spinner.
  timer.unref();
  return () => clearInterval(timer);
};

export function startSpinner(context: Pick<CliContext, "stderr" | "stderrIsTTY" | "color">, label: string, repeat: Repeat = everyInterval): Spinner {
  if (!context.stderrIsTTY) return NONE;
  const s = style(context.color);
  let frame = 0;
  const draw = () => context.stderr.showStatus(`${s.cyan(FRAMES[frame++ % FRAMES.length])} ${s.dim(label)}`);
  draw();
  const cancel = repeat(draw, INTERVAL_MS);
  let running = true;
  return {
    stop() {
      if (!running) return;
      running = false;
      cancel();
      context.stderr.clearStatus();
    },
  };
}
