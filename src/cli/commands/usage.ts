// `codex-provider usage --provider chatgpt-codex [--json]`: the plan's usage windows as
// bars, from the usage endpoint, else from the `x-codex-*` headers of the last response.
import { ProviderError } from "../../errors.js";
import type { CodexProvider } from "../../providers/chatgpt-codex.js";
import type { CodexUsageReport } from "../../providers/chatgpt-codex-usage.js";
import type { RateLimitWindow } from "../../types.js";
import { CONNECTION_SETTING_FLAGS, CONNECTION_SETTINGS_HELP } from "../../config/settings.js";
import { COMMON_FLAGS, parseFlags } from "../args.js";
import type { Command } from "../context.js";
import { formatDuration, formatReset } from "../../time-format.js";
import { style } from "../format.js";
import { openProvider } from "../open-provider.js";

const BAR_WIDTH = 20;

export function usageBar(usedPercent: number, width = BAR_WIDTH): string {
  const filled = Math.round((Math.min(100, Math.max(0, usedPercent)) / 100) * width);
  return `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
}

/** Windows are named by length, not by primary/secondary (a free plan's primary window is weekly). */
export function windowName(minutes: number | undefined): string {
  if (minutes === undefined) return "window";
  if (minutes === 10_080) return "weekly";
  if (minutes === 1_440) return "daily";
  return formatDuration(minutes * 60_000);
}

function windowJson(window: RateLimitWindow | undefined) {
  if (!window) return undefined;
  return { ...window, resetsAt: window.resetsAt === undefined ? undefined : new Date(window.resetsAt).toISOString() };
}

function render(report: CodexUsageReport, profile: string, color: boolean, now = Date.now()): string {
  const s = style(color);
  const { rateLimits } = report;
  const lines = [`chatgpt-codex ${s.yellow("(experimental, ChatGPT-backed)")} · profile ${profile}${rateLimits.planType ? ` · plan ${rateLimits.planType}` : ""}`];
  const windows = (["primary", "secondary"] as const).filter((which) => rateLimits[which]);
  const width = Math.max(...windows.map((which) => windowName(rateLimits[which]!.windowMinutes).length));
  for (const which of windows) {
    const window = rateLimits[which]!;
    const paint = window.usedPercent >= 90 ? s.red : window.usedPercent >= 70 ? s.yellow : s.green;
    const percent = `${Math.round(window.usedPercent)}%`.padStart(4);
    const reset = window.resetsAt === undefined ? "" : `  ${formatReset(window.resetsAt, now)}`;
    lines.push(`  ${windowName(window.windowMinutes).padEnd(width)}  ${paint(usageBar(window.usedPercent))} ${percent} used${reset}  ${s.dim(`(${which})`)}`);
  }
  if (windows.length === 0) lines.push("  No usage windows reported.");
  const credits = rateLimits.credits;
  if (credits) lines.push(`  credits: ${credits.unlimited ? "unlimited" : credits.hasCredits ? (credits.balance ?? "yes") : "none"}`);
  const observed = new Date(report.observedAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  lines.push(
    s.dim(
      report.source === "usage-endpoint"
        ? "Source: the usage endpoint, now."
        : `Source: the x-codex-* headers of the last response, at ${observed} (the usage endpoint failed: ${report.fallbackReason}).`,
    ),
  );
  return `${lines.join("\n")}\n`;
}

export const command: Command = {
  summary: "Show ChatGPT plan usage windows (chatgpt-codex)",
  help: `Usage: codex-provider usage [--provider chatgpt-codex] [--profile <name>] [--json]

Shows the usage windows of your ChatGPT plan (typically 5 hours and weekly) as bars, with
the percent used and when each resets in your local time. Reads the backend's usage
endpoint; when it cannot be reached, shows the x-codex-* headers of the last response any
codex-provider process received. Only chatgpt-codex (experimental) reports these.

Options:
      --json            print the numbers as JSON (reset times in ISO 8601)

${CONNECTION_SETTINGS_HELP}
(--provider: chatgpt-codex is the default and only choice.)

Examples:
  codex-provider usage
  codex-provider usage --json | jq '.primary.usedPercent'
`,
  async run(args, context) {
    const { values } = parseFlags(args, { ...COMMON_FLAGS, ...CONNECTION_SETTING_FLAGS });
    const id = values.provider ?? "chatgpt-codex";
    if (id !== "chatgpt-codex") {
      throw new ProviderError("config_error", `Usage windows are only reported for chatgpt-codex, not "${id}".`);
    }
    // openProvider returns createProvider's chatgpt-codex provider, which reports usage.
    const report = await ((await openProvider({ ...values, provider: id, quiet: true }, context)) as CodexProvider).usage();
    const profile = values.profile ?? "default";
    if (values.json) {
      const { rateLimits } = report;
      const json = {
        provider: id,
        profile,
        experimental: true,
        source: report.source,
        observedAt: report.observedAt,
        planType: rateLimits.planType,
        primary: windowJson(rateLimits.primary),
        secondary: windowJson(rateLimits.secondary),
        credits: rateLimits.credits,
        limitReachedType: rateLimits.limitReachedType,
        // Other metered limits (e.g. a per-model one), by limit id.
        additional: Object.entries(rateLimits.families ?? {}).map(([id, family]) => ({
          id,
          limitName: family.limitName,
          primary: windowJson(family.primary),
          secondary: windowJson(family.secondary),
        })),
        fallbackReason: report.fallbackReason,
      };
      context.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      context.stdout.write(render(report, profile, context.color));
    }
    return 0;
  },
};
