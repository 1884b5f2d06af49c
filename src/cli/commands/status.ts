import { cliStore } from "../credential-store.js";
import { ProviderError } from "../../errors.js";
import { CONNECTION_SETTING_FLAGS, CONNECTION_SETTINGS_HELP, SETTING_FLAGS } from "../../config/settings.js";
import { COMMON_FLAGS, parseFlags } from "../args.js";
import { AUTH_CLI, type CommonAuthFlags } from "../auth/types.js";
import type { CliContext, Command } from "../context.js";
import { style } from "../format.js";
import { cliSettings, withUrls } from "../open-provider.js";
import { fallbackChainJson, fallbackChainStatus, formatFallbackChain } from "../fallback-status.js";
import { profileStatuses, type Status } from "../provider-status.js";

function render(statuses: Status[], context: CliContext): void {
  const s = style(context.color);
  for (const st of statuses) {
    const mark = st.usable ? s.green("●") : st.loggedIn ? s.yellow("●") : s.dim("○");
    const label = `${st.provider}${st.experimental ? s.yellow(st.custom ? " (experimental)" : " (experimental, ChatGPT-backed)") : ""}`;
    const parts = [st.custom ? (st.usable ? "ready" : "not ready") : st.unreadable ? "unreadable" : st.loggedIn ? "signed in" : "not signed in"];
    if (st.method) parts.push(st.method);
    if (st.account) parts.push(st.account);
    if (st.plan) parts.push(`plan ${st.plan}`);
    if (st.expiresAt) parts.push(`token expires ${st.expiresAt}`);
    context.stdout.write(`${mark} ${label}  [profile ${st.profile}]  ${parts.join(" · ")}\n`);
    if (st.custom) context.stdout.write(s.dim(`    ${st.custom.wireApi} at ${st.custom.baseUrl}\n`));
    if (st.detail) context.stdout.write(`    ${st.detail}\n`);
    if (!st.usable && st.hint) context.stdout.write(s.dim(`    → ${st.hint}\n`));
  }
}

export const command: Command = {
  summary: "Show which providers you are signed in to",
  help: `Usage: codex-provider status [--provider <id>] [--profile <name>] [--json]

Lists every provider — built-in and custom ([providers.NAME] in config.toml) — for every
credential profile (or only --profile): signed in or not, account (masked), plan,
token expiry, and whether it is experimental. Exit code 0 when the selected provider
(--provider, else CODEX_PROVIDER_PROVIDER, else config.toml's provider, else openai)
is usable with the selected profile, 3 when it is not.

Options:
      --json            the whole listing as one JSON object

${CONNECTION_SETTINGS_HELP}

Examples:
  codex-provider status
  codex-provider status --provider chatgpt --profile work
  codex-provider status --json | jq '.providers[] | select(.usable)'

With a fallback list (--fallback, CODEX_PROVIDER_FALLBACK or fallback in config.toml)
it also shows the chain and which entries are out of usage until when.
`,
  async run(args, context) {
    const { values, positionals } = parseFlags(args, { ...COMMON_FLAGS, ...CONNECTION_SETTING_FLAGS, fallback: SETTING_FLAGS.fallback }, true);
    if (positionals.length > 0) throw new ProviderError("config_error", `Unexpected argument ${positionals[0]}.`);
    const resolved = await cliSettings(values, context);
    const { settings, config } = resolved;
    const selected = { provider: settings.provider.value ?? "openai", profile: settings.profile.value ?? "default" };
    const custom = Object.entries(config.data.providers ?? {});
    if (!(selected.provider in AUTH_CLI) && !custom.some(([name]) => name === selected.provider)) {
      throw new ProviderError("config_error", `Unknown provider "${selected.provider}".`, { hint: "codex-provider config show lists the providers." });
    }
    // Every profile with credentials, unless one was chosen (flag, env or config).
    const profiles =
      settings.profile.source === "default"
        ? [...new Set([selected.profile, ...(await cliStore(context).listProfiles())])]
        : [selected.profile];
    const authContext = withUrls(context, settings);
    const statuses: Status[] = [];
    for (const profile of profiles) {
      const common: CommonAuthFlags = { profile, json: Boolean(values.json), quiet: Boolean(values.quiet), verbose: Boolean(values.verbose) };
      statuses.push(...(await profileStatuses(common, config, authContext)));
    }
    const usable = statuses.find((st) => st.provider === selected.provider && st.profile === selected.profile)?.usable ?? false;
    const fallback = await fallbackChainStatus(resolved, context);
    if (values.json) {
      const chain = fallbackChainJson(fallback);
      context.stdout.write(`${JSON.stringify({ selected: selected.provider, profile: selected.profile, usable, profiles, providers: statuses, fallback: chain }, null, 2)}\n`);
    } else {
      render(statuses, context);
      if (fallback) context.stdout.write(formatFallbackChain(fallback, context.color));
    }
    return usable ? 0 : 3;
  },
};
