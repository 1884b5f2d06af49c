import { ProviderError } from "../../errors.js";
import { loadAuthCli, splitAuthArgs } from "../auth/dispatch.js";
import { AUTH_CLI, type ProviderStatus } from "../auth/types.js";
import type { Command } from "../context.js";
import { style } from "../format.js";

export const command: Command = {
  summary: "Show which providers you are signed in to",
  help: `Usage: codex-provider status [--provider <id>] [--profile <name>] [--json]

Lists every built-in provider for the profile: signed in or not, account (masked),
plan, expiry, and whether it is experimental. Exit code 0 when the selected provider
(--provider, default openai) is usable, 3 when it is not.
`,
  async run(args, context) {
    const { provider, common, rest } = splitAuthArgs(args);
    if (rest.length > 0) throw new ProviderError("config_error", `Unexpected argument ${rest[0]}.`);
    const selected = provider ?? context.env.CODEX_PROVIDER_PROVIDER ?? "openai";
    const ids = Object.keys(AUTH_CLI);
    const statuses: ProviderStatus[] = [];
    for (const id of ids) statuses.push(await (await loadAuthCli(id)).status(common, context));
    const usable = statuses.find((s) => s.provider === selected)?.usable ?? false;
    if (common.json) {
      context.stdout.write(`${JSON.stringify({ selected, usable, providers: statuses }, null, 2)}\n`);
    } else {
      const s = style(context.color);
      for (const st of statuses) {
        const mark = st.usable ? s.green("●") : st.loggedIn ? s.yellow("●") : s.dim("○");
        const label = `${st.provider}${st.experimental ? s.yellow(" (experimental, ChatGPT-backed)") : ""}`;
        const parts = [st.loggedIn ? "signed in" : "not signed in"];
        if (st.method) parts.push(st.method);
        if (st.account) parts.push(st.account);
        if (st.plan) parts.push(`plan ${st.plan}`);
        if (st.expiresAt) parts.push(`token expires ${st.expiresAt}`);
        context.stdout.write(`${mark} ${label}  [profile ${st.profile}]  ${parts.join(" · ")}\n`);
        if (st.detail) context.stdout.write(`    ${st.detail}\n`);
        if (!st.usable && st.hint) context.stdout.write(s.dim(`    → ${st.hint}\n`));
      }
    }
    return usable ? 0 : 3;
  },
};
