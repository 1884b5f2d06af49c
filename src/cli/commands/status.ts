import { cliStore } from "../credential-store.js";
import { ProviderError } from "../../errors.js";
import { SHARED_AUTH_KINDS, type CustomProviderConfig } from "../../config/providers.js";
import { COMMON_FLAGS, parseFlags } from "../args.js";
import { loadAuthCli } from "../auth/dispatch.js";
import { AUTH_CLI, type CommonAuthFlags, type ProviderStatus } from "../auth/types.js";
import type { CliContext, Command } from "../context.js";
import { style } from "../format.js";
import { cliSettings, withUrls } from "../open-provider.js";
import { SETTING_FLAGS } from "../../config/settings.js";
import { fallbackChainStatus, formatFallbackChain } from "../fallback-status.js";

/** A custom provider's status also says where it points. */
type Status = ProviderStatus & { custom?: { baseUrl: string; wireApi: string } };

/** Custom providers need no login of their own: usable when their credential source is. */
function customStatus(name: string, config: CustomProviderConfig, builtins: ProviderStatus[], context: CliContext, profile: string): Status {
  const base = {
    provider: name,
    profile,
    experimental: config.experimental ?? false,
    custom: { baseUrl: config.base_url, wireApi: config.wire_api ?? "responses" },
  };
  if (config.requires_openai_auth) {
    const kind = config.auth ?? SHARED_AUTH_KINDS.find((k) => builtins.find((b) => b.provider === k)?.loggedIn);
    const owner = builtins.find((b) => b.provider === kind);
    const usable = owner?.usable ?? false;
    return {
      ...base,
      loggedIn: owner?.loggedIn ?? false,
      usable,
      method: `your ${kind ?? "OpenAI"} credential (requires_openai_auth${config.auth ? "" : ", first available"})`,
      account: owner?.account,
      plan: owner?.plan,
      expiresAt: owner?.expiresAt,
      hint: usable ? undefined : (owner?.hint ?? `sign in to one of: ${SHARED_AUTH_KINDS.join(", ")} (codex-provider login --help)`),
    };
  }
  if (config.env_key) {
    const set = Boolean(context.env[config.env_key]);
    return {
      ...base,
      loggedIn: set,
      usable: set,
      method: `key from ${config.env_key}${set ? "" : " (unset)"}`,
      hint: set ? undefined : (config.env_key_instructions ?? `export ${config.env_key}=<key>`),
    };
  }
  return { ...base, loggedIn: true, usable: true, method: "no credential needed" };
}

function render(statuses: Status[], context: CliContext): void {
  const s = style(context.color);
  for (const st of statuses) {
    const mark = st.usable ? s.green("●") : st.loggedIn ? s.yellow("●") : s.dim("○");
    const label = `${st.provider}${st.experimental ? s.yellow(st.custom ? " (experimental)" : " (experimental, ChatGPT-backed)") : ""}`;
    const parts = [st.custom ? (st.usable ? "ready" : "not ready") : st.loggedIn ? "signed in" : "not signed in"];
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

Examples:
  codex-provider status
  codex-provider status --provider chatgpt --profile work
  codex-provider status --json | jq '.providers[] | select(.usable)'

With a fallback list (--fallback, CODEX_PROVIDER_FALLBACK or fallback in config.toml)
it also shows the chain and which entries are out of usage until when.
`,
  async run(args, context) {
    const { values, positionals } = parseFlags(args, { ...COMMON_FLAGS, fallback: SETTING_FLAGS.fallback }, true);
    if (positionals.length > 0) throw new ProviderError("config_error", `Unexpected argument ${positionals[0]}.`);
    const resolved = cliSettings(values, context);
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
      const builtins: ProviderStatus[] = [];
      for (const id of Object.keys(AUTH_CLI)) builtins.push(await (await loadAuthCli(id)).status(common, authContext));
      statuses.push(...builtins, ...custom.map(([name, provider]) => customStatus(name, provider, builtins, context, profile)));
    }
    const usable = statuses.find((st) => st.provider === selected.provider && st.profile === selected.profile)?.usable ?? false;
    const fallback = await fallbackChainStatus(resolved, context);
    if (values.json) {
      const chain = fallback?.map((e) => ({ ...e, exhaustedUntil: e.exhaustedUntil === undefined ? undefined : new Date(e.exhaustedUntil).toISOString() }));
      context.stdout.write(`${JSON.stringify({ selected: selected.provider, profile: selected.profile, usable, profiles, providers: statuses, fallback: chain }, null, 2)}\n`);
    } else {
      render(statuses, context);
      if (fallback) context.stdout.write(formatFallbackChain(fallback, context.color));
    }
    return usable ? 0 : 3;
  },
};
