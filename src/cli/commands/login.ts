import { ProviderError } from "../../errors.js";
import { authArgs, loadAuthCli } from "../auth/dispatch.js";
import { AUTH_CLI } from "../auth/types.js";
import type { Command } from "../context.js";
import { cliStore } from "../credential-store.js";

export const command: Command = {
  summary: "Sign in or store a credential for a provider",
  help: "", // filled below from every provider's flags
  async run(args, context) {
    const { provider, common, rest } = await authArgs(args, context);
    if (!provider) {
      throw new ProviderError("config_error", "Which provider? Pass --provider openai, chatgpt or chatgpt-codex.", {
        hint: "Run `codex-provider login --help` for each provider's options.",
      });
    }
    const authCli = await loadAuthCli(provider);
    // Before any browser or device code: an approved sign-in must have somewhere to go.
    await cliStore(context).checkWritable(common.profile);
    return authCli.login(rest, common, context);
  },
};

export async function loginHelp(): Promise<string> {
  const sections = await Promise.all(Object.keys(AUTH_CLI).map(async (id) => (await loadAuthCli(id)).loginHelp));
  return `Usage: codex-provider login --provider <id> [options]

Signs in (or stores a key) and keeps the credential in $CODEX_PROVIDER_HOME/credentials
(mode 0600). Common options: --profile <name> (default: CODEX_PROVIDER_PROFILE, then config.toml, then "default"), --json, --quiet.

${sections.join("\n\n")}
`;
}
