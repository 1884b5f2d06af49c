// Builds the provider a command asked for: settings resolved flag > env > config.toml >
// default, custom providers from the config; the library's notices printed on stderr.
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { resolveSettings, urlEnv, type SettingKey, type Settings } from "../config/settings.js";
import { createProvider } from "../providers/registry.js";
import { entryLabel, fallbackEntries, type FallbackEntry } from "../providers/fallback.js";
import { configureProxy } from "../transport/proxy.js";
import type { Provider } from "../providers/provider.js";
import type { HttpClientChoice } from "../transport/http.js";
import type { NoticeHandler } from "../notice.js";
import { style } from "./format.js";
import type { CliContext } from "./context.js";

/** Parsed flag values by flag name; settings flags are read from here (see SETTING_FLAGS). */
export type ProviderFlags = { [flag: string]: string | boolean | undefined } & { quiet?: boolean };

export interface CliSettings {
  settings: Settings;
  config: LoadedConfig;
}

/** The config file and every setting with its provenance. Throws config_error (exit 2) on any bad value. */
export async function cliSettings(flags: ProviderFlags, context: CliContext): Promise<CliSettings> {
  const config = await loadConfig(context.env);
  const { providers: _providers, fallback_models: _fallbackModels, ...topLevel } = config.data;
  const settings = resolveSettings({
    flags,
    env: context.env,
    config: topLevel,
    configOrigin: (key: SettingKey) => config.origin([key]),
  });
  // Every request of this process, model calls and sign-in alike, goes through the same proxy rules.
  configureProxy({ proxy: settings.proxy.value, proxyOrigin: settings.proxy.origin, env: context.env });
  return { settings, config };
}

/**
 * `httpClient`, unless the http_client setting says otherwise: one-shot commands keep
 * node:http (undici would cost more to load than it saves); `chat` and `serve`, which
 * make many calls, pass their own.
 */
export function providerFor({ settings, config }: CliSettings, flags: ProviderFlags, context: CliContext, httpClient: HttpClientChoice = "node"): Provider {
  return createProvider({
    provider: settings.provider.value,
    profile: settings.profile.value,
    model: settings.model.value,
    // Providers read their base URLs from env variables; a flag or config value goes there.
    env: withUrls(context, settings).env,
    customProviders: config.data.providers,
    fallback: fallbackChain(settings, config),
    retry: { maxRetries: settings.max_retries.value },
    headersTimeoutMs: settings.request_timeout_ms.value,
    idleTimeoutMs: settings.idle_timeout_ms.value,
    maxEventBytes: settings.max_event_bytes.value,
    httpClient: settings.http_client.value ?? httpClient,
    onNotice: noticePrinter(context, { quiet: Boolean(flags.quiet), experimentalNotice: settings.experimental_notice.value !== false }),
  });
}

/** The fallback setting's entries with their `[fallback_models]` maps, or undefined when no chain is set. */
export function fallbackChain(settings: Settings, config: LoadedConfig): FallbackEntry[] | undefined {
  const list = settings.fallback.value;
  if (!list) return undefined;
  return fallbackEntries(list).map((entry) => {
    const modelMap = config.data.fallback_models?.[entryLabel(entry)];
    return modelMap ? { ...entry, modelMap } : entry;
  });
}

/** Experimental-provider notices already printed by this process, by provider. */
const experimentalShown = new Set<string>();

/** The library's notices, one line each on the CLI's stderr writer; --quiet silences them. */
export function noticePrinter(context: CliContext, options: { quiet: boolean; experimentalNotice: boolean }): NoticeHandler {
  const s = style(context.color);
  return (notice) => {
    if (options.quiet) return;
    if (notice.code === "experimental_provider") {
      if (!options.experimentalNotice || experimentalShown.has(notice.provider)) return;
      experimentalShown.add(notice.provider);
      context.stderr.write(s.yellow(`codex-provider: ${notice.message}\n`));
    } else if (notice.code === "fallback") {
      // A change of credential (and maybe of bill): as visible as the experimental notice.
      context.stderr.write(s.yellow(`codex-provider: ${notice.message}\n`));
    } else if (notice.code === "warning") {
      context.stderr.write(s.dim(`warning: ${notice.message}\n`));
    } else {
      context.stderr.write(s.dim(`${notice.message}\n`));
    }
  };
}

export async function openProvider(flags: ProviderFlags, context: CliContext): Promise<Provider> {
  return providerFor(await cliSettings(flags, context), flags, context);
}

/** The context with the resolved base URLs in the env variables providers and logins read. */
export function withUrls(context: CliContext, settings: Settings): CliContext {
  return { ...context, env: { ...context.env, ...urlEnv(settings) } };
}

/** withUrls for commands that take no setting flags (login, logout). */
export async function withConfiguredUrls(context: CliContext): Promise<CliContext> {
  return withUrls(context, (await cliSettings({}, context)).settings);
}
