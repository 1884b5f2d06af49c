// Human-readable rendering of errors and usage for the terminal (times: ../time-format.ts).
import { ProviderError } from "../errors.js";
import { redact } from "../redact.js";
import { formatReset } from "../time-format.js";
import type { Usage } from "../types.js";

export function style(enabled: boolean) {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { dim: wrap(2, 22), bold: wrap(1, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), cyan: wrap(36, 39) };
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
