import { CONNECTION_SETTING_FLAGS, CONNECTION_SETTINGS_HELP, SETTING_FLAGS } from "../../config/settings.js";
import { ProviderError } from "../../errors.js";
import { parseFlags } from "../args.js";
import type { CliContext, Command } from "../context.js";
import { CLOCK_SKEW_LIMIT_MS, doctorReport, type Check, type DoctorReport } from "../doctor/report.js";
import { PROBE_TIMEOUT_MS } from "../doctor/probe.js";
import { fallbackChainJson, fallbackChainStatus, formatFallbackChain, type FallbackEntryStatus } from "../fallback-status.js";
import { style } from "../format.js";
import { cliSettings } from "../open-provider.js";
import { startSpinner } from "../spinner.js";

export const command: Command = {
  summary: "Tell why something does not work (no tokens spent)",
  help: `Usage: codex-provider doctor [options]

Checks, without calling a model: the Node version, the state directory and its
permissions, config.toml and where each setting comes from, every provider's credential
for the profile (kind, account, plan, expiry, scopes, last refresh, refresh failure),
proxy and CA variables, the fallback chain (--fallback) and which entries are out of
usage until when, the clock against the server's Date header, and whether each
endpoint the selected provider uses answers (OAuth discovery and the model list; no
credential is sent). Probes run at once, each at most ${PROBE_TIMEOUT_MS / 1000} s. Secrets are never
printed: credentials show a fingerprint at most.

Exit codes: 0 the selected provider is ready; 2 config.toml is invalid or the provider
is unknown; 3 no usable credential; 5 an endpoint is unreachable; 1 anything else (Node
too old, state directory not writable, clock off by ${CLOCK_SKEW_LIMIT_MS / 60_000} minutes or more). With several
problems, the first in this order decides.

Options:
      --json            the whole report as one JSON object

${CONNECTION_SETTINGS_HELP}

Examples:
  codex-provider doctor
  codex-provider doctor -p chatgpt-codex --json | jq .problems
`,
  async run(args, context) {
    const { values, positionals } = parseFlags(args, { ...CONNECTION_SETTING_FLAGS, fallback: SETTING_FLAGS.fallback, json: { type: "boolean" }, verbose: { type: "boolean" } }, true);
    if (positionals.length > 0) throw new ProviderError("config_error", `Unexpected argument ${positionals[0]}.`);
    const spinner = startSpinner(context, "checking…");
    let report: DoctorReport;
    try {
      report = await doctorReport(values, context);
    } finally {
      spinner.stop();
    }
    const fallback = await fallbackChainOrNone(values, context);
    if (values.json) {
      const chain = fallbackChainJson(fallback);
      context.stdout.write(`${JSON.stringify({ ...report, fallback: chain }, null, 2)}\n`);
    } else render(report, fallback, context);
    return report.exitCode;
  },
};

/** The fallback chain, if one is set; a config the report already calls invalid shows none. */
async function fallbackChainOrNone(values: Parameters<typeof cliSettings>[0], context: CliContext): Promise<FallbackEntryStatus[] | undefined> {
  try {
    return await fallbackChainStatus(await cliSettings(values, context), context);
  } catch {
    return undefined;
  }
}

function render(report: DoctorReport, fallback: FallbackEntryStatus[] | undefined, context: CliContext): void {
  const s = style(context.color);
  const rows: Array<[string, Check | boolean | undefined, string]> = [];
  const mark = (check: Check | boolean | undefined) => {
    const ok = typeof check === "boolean" ? check : check?.ok;
    return ok === undefined ? s.dim("·") : ok ? s.green("✓") : s.red("✗");
  };
  const { node, home, config, clock } = report;
  rows.push(["node", node, `${node.version} (needs ${node.required})`]);
  rows.push(["state directory", home, `${home.path} [${home.from}]${home.mode ? ` mode ${home.mode}` : ""}${home.exists ? (home.writable ? ", writable" : ", NOT writable") : ", not created yet"}`]);
  rows.push(["config", config, config.error ? `${config.path}: ${config.error}` : `${config.path}${config.exists ? "" : " (none; defaults apply)"}`]);
  for (const [key, setting] of Object.entries(config.settings)) {
    if (setting.value !== undefined) rows.push([`  ${key}`, undefined, `${setting.value}  ${s.dim(`from ${setting.origin ?? setting.source}`)}`]);
  }
  for (const c of report.credentials) {
    const selected = c.provider === report.selected.provider;
    const facts = [c.unreadable ? "unreadable" : c.signedIn ? "signed in" : "not signed in", c.kind, c.account, c.plan && `plan ${c.plan}`, c.expiresAt && `expires ${c.expiresAt}`];
    if (c.lastRefresh) facts.push(`last refresh ${c.lastRefresh}`);
    if (c.scopes) facts.push(`scopes ${c.scopes.join(" ")}`);
    if (c.refreshFailure) facts.push(`refresh failed for good (${c.refreshFailure.code}) at ${c.refreshFailure.at}`);
    rows.push([`${selected ? "▸ " : ""}${c.provider}`, selected ? c.usable : undefined, facts.filter(Boolean).join(" · ")]);
  }
  const variables = Object.entries(report.network);
  rows.push(["network", undefined, variables.length ? variables.map(([name, value]) => `${name}=${value}`).join(" ") : "no proxy or CA variables set"]);
  for (const e of report.endpoints) {
    rows.push([e.name, e.reachable, `${e.url}${e.via === "direct" ? "" : ` via ${e.via}`} → ${e.status ? `HTTP ${e.status}` : e.error} in ${e.ms} ms`]);
  }
  if (fallback) rows.push(["fallback", undefined, formatFallbackChain(fallback, context.color).replace(/^fallback: /, "").trimEnd()]);
  rows.push(["clock", clock, clock.skewMs === undefined ? (clock.hint ?? "") : `${formatSkew(clock.skewMs)} against ${clock.from}`]);

  const width = Math.max(...rows.map(([label]) => label.length));
  context.stdout.write(`codex-provider doctor — provider ${s.bold(report.selected.provider)}, profile ${report.selected.profile}\n\n`);
  for (const [label, check, text] of rows) context.stdout.write(`${mark(check)} ${label.padEnd(width)}  ${text}\n`);
  context.stdout.write("\n");
  if (report.ready) context.stdout.write(s.green(`Ready: ${report.selected.provider} can be used.\n`));
  else for (const problem of report.problems) context.stdout.write(`${s.red("problem:")} ${problem}\n`);
}

function formatSkew(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (Math.abs(seconds) <= 1) return "in step (±1 s)";
  return `server is ${Math.abs(seconds)} s ${seconds > 0 ? "ahead of" : "behind"} this computer`;
}
