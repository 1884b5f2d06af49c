// Human-readable rendering of errors, usage and times for the terminal.
import { ProviderError } from "../errors.js";
import { redact } from "../redact.js";
import type { Usage } from "../types.js";

export function style(enabled: boolean) {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { dim: wrap(2, 22), bold: wrap(1, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), cyan: wrap(36, 39) };
}

/** "2 h 14 min", "45 s", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(totalSeconds / 86400);
  const hours = Math.floor((totalSeconds % 86400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days} d${hours ? ` ${hours} h` : ""}`;
  if (hours > 0) return `${hours} h${minutes ? ` ${minutes} min` : ""}`;
  if (minutes > 0) return `${minutes} min`;
  return `${seconds} s`;
}

/** "resets in 2 h 14 min, at 16:40" in the user's local time (date added when not today). */
export function formatReset(resetsAt: number, now = Date.now()): string {
  const at = new Date(resetsAt);
  const sameDay = new Date(now).toDateString() === at.toDateString();
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  const when = sameDay ? time : `${at.toLocaleDateString([], { month: "short", day: "numeric" })} ${time}`;
  return `resets in ${formatDuration(resetsAt - now)}, at ${when}`;
}

export function formatUsage(usage: Usage): string {
  return `tokens: ${usage.inputTokens} in (${usage.cachedInputTokens} cached) · ${usage.outputTokens} out (${usage.reasoningTokens} reasoning) · ${usage.totalTokens} total`;
}

/** One or two lines: what went wrong, then how to fix it. Details only with --verbose. */
export function formatError(error: unknown, verbose: boolean): string {
  if (!(error instanceof ProviderError)) {
    const text = error instanceof Error ? (verbose ? (error.stack ?? error.message) : error.message) : String(error);
    return `error: ${redact(text)}`;
  }
  const lines = [`error: ${error.message}`];
  if (error.code === "usage_limit_reached") {
    const plan = error.planType ? ` (plan: ${error.planType})` : "";
    lines.push(error.resetsAt ? `Usage limit${plan} ${formatReset(error.resetsAt)}.` : `Usage limit reached${plan}.`);
  }
  if (error.hint) lines.push(error.hint);
  if (verbose) {
    const details = [`code=${error.code}`];
    if (error.status) details.push(`status=${error.status}`);
    if (error.upstreamCode) details.push(`upstream=${error.upstreamCode}`);
    if (error.requestId) details.push(`request-id=${error.requestId}`);
    lines.push(details.join(" "));
  }
  return lines.join("\n");
}
