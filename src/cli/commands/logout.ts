import { ProviderError } from "../../errors.js";
import { authArgs, loadAuthCli } from "../auth/dispatch.js";
import type { Command } from "../context.js";

export const command: Command = {
  summary: "Sign out of a provider and delete its stored credential",
  help: `Usage: codex-provider logout --provider <id> [--profile <name>] [--json]

Revokes the sign-in where the provider supports it, then deletes the stored
credential. For chatgpt, the registered client id and host id are kept so the next
sign-in reuses them.

Examples:
  codex-provider logout --provider chatgpt
  codex-provider logout --provider openai --profile work
`,
  async run(args, context) {
    const { provider, common, rest } = await authArgs(args, context);
    if (!provider) throw new ProviderError("config_error", "Which provider? Pass --provider openai, chatgpt or chatgpt-codex.");
    return (await loadAuthCli(provider)).logout(rest, common, context);
  },
};
