// Builds the provider a command asked for: settings resolved flag > env > config.toml >
// default, custom providers from the config, retry notices and warnings on stderr.
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { resolveSettings, urlEnv, type SettingKey, type Settings } from "../config/settings.js";
import { createProvider } from "../providers/registry.js";
import type { Provider } from "../providers/provider.js";
import { formatDuration } from "../time-format.js";
import { style } from "./format.js";
import type { CliContext } from "./context.js";

/** Parsed flag values by flag name; settings flags are read from here (see SETTING_FLAGS). */
export type ProviderFlags = { [flag: string]: string | boolean | undefined } & { quiet?: boolean };

export interface CliSettings {
  settings: Settings;
  config: LoadedConfig;
}

/** The config file and every setting with its provenance. Throws config_error (exit 2) on any bad value. */
export function cliSettings(flags: ProviderFlags, context: CliContext): CliSettings {
  const config = loadConfig(context.env);
  const { providers: _providers, ...topLevel } = config.data;
  const settings = resolveSettings({
    flags,
    env: context.env,
    config: topLevel,
    configOrigin: (key: SettingKey) => config.origin([key]),
  });
  return { settings, config };
}

export function providerFor({ settings, config }: CliSettings, flags: ProviderFlags, context: CliContext): Provider {
  const s = style(context.color);
  const warn = (message: string) => {
    if (!flags.quiet) context.stderr.write(s.dim(`warning: ${message}\n`));
  };
  return createProvider({
    provider: settings.provider.value,
    profile: settings.profile.value,
    model: settings.model.value,
    // Providers read their base URLs from env variables; a flag or config value goes there.
    env: withUrls(context, settings).env,
    customProviders: config.data.providers,
    quiet: Boolean(flags.quiet) || settings.experimental_notice.value === false,
    retry: { maxRetries: settings.max_retries.value },
    headersTimeoutMs: settings.request_timeout_ms.value,
    idleTimeoutMs: settings.idle_timeout_ms.value,
    onRetry: ({ retry, delayMs, error }) => {
      if (flags.quiet) return;
      context.stderr.write(s.dim(`${error.message} — retry ${retry} in ${formatDuration(delayMs).replace(/^0 s$/, "<1 s")}\n`));
    },
    onWarning: warn,
  });
}

export function openProvider(flags: ProviderFlags, context: CliContext): Provider {
  return providerFor(cliSettings(flags, context), flags, context);
}

/** The context with the resolved base URLs in the env variables providers and logins read. */
export function withUrls(context: CliContext, settings: Settings): CliContext {
  return { ...context, env: { ...context.env, ...urlEnv(settings) } };
}

/** withUrls for commands that take no setting flags (login, logout). */
export function withConfiguredUrls(context: CliContext): CliContext {
  return withUrls(context, cliSettings({}, context).settings);
}
