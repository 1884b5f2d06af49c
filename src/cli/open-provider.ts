// Builds the provider a command asked for, with retry notices on stderr.
import { createProvider } from "../providers/registry.js";
import type { Provider } from "../providers/provider.js";
import { formatDuration, style } from "./format.js";
import type { CliContext } from "./context.js";

export interface ProviderFlags {
  provider?: string;
  profile?: string;
  model?: string;
  quiet?: boolean;
}

export function openProvider(flags: ProviderFlags, context: CliContext): Provider {
  const s = style(context.color);
  return createProvider({
    provider: flags.provider ?? context.env.CODEX_PROVIDER_PROVIDER,
    profile: flags.profile,
    model: flags.model,
    env: context.env,
    onRetry: ({ retry, delayMs, error }) => {
      if (flags.quiet) return;
      context.stderr.write(s.dim(`${error.message} — retry ${retry} in ${formatDuration(delayMs).replace(/^0 s$/, "<1 s")}\n`));
    },
    onWarning: (message) => {
      if (!flags.quiet) context.stderr.write(s.dim(`warning: ${message}\n`));
    },
  });
}
