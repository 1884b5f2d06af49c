// Every provider's credential state for one profile, as `status`, `serve` and `doctor`
// report it: built-in providers ask their auth module, custom providers follow the
// credential they would use.
import { CODEX_PROVIDER_ID } from "../auth/codex/auth-source.js";
import type { LoadedConfig } from "../config/load.js";
import { SHARED_AUTH_KINDS, type CustomProviderConfig } from "../config/providers.js";
import { ProviderError } from "../errors.js";
import { loadAuthCli } from "./auth/dispatch.js";
import { AUTH_CLI, type CommonAuthFlags, type ProviderStatus } from "./auth/types.js";
import type { CliContext } from "./context.js";
import { withUrls, type CliSettings } from "./open-provider.js";

/** A custom provider's status also says where it points; `unreadable`: the credential file could not be read. */
export type Status = ProviderStatus & { custom?: { baseUrl: string; wireApi: string }; unreadable?: true };

/** Custom providers need no login of their own: usable when their credential source is. */
function customStatus(name: string, config: CustomProviderConfig, builtins: Status[], context: CliContext, profile: string): Status {
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

/**
 * One provider's status; an unreadable credential file (corrupt, wrong type, no
 * permission) is that profile's state, not the end of the listing.
 */
async function builtinStatus(id: string, common: CommonAuthFlags, context: CliContext): Promise<Status> {
  try {
    return await (await loadAuthCli(id)).status(common, context);
  } catch (error) {
    if (!(error instanceof ProviderError) || error.code !== "credential_store_error") throw error;
    return {
      provider: id,
      profile: common.profile,
      experimental: id === CODEX_PROVIDER_ID,
      loggedIn: false,
      usable: false,
      unreadable: true,
      detail: `credential unreadable: ${error.message}`,
      hint: error.hint,
    };
  }
}

/** Built-in providers first, then config.toml's, for `common.profile`. `context` carries the resolved URLs. */
export async function profileStatuses(common: CommonAuthFlags, config: LoadedConfig, context: CliContext): Promise<Status[]> {
  const builtins: Status[] = [];
  for (const id of Object.keys(AUTH_CLI)) builtins.push(await builtinStatus(id, common, context));
  const custom = Object.entries(config.data.providers ?? {});
  return [...builtins, ...custom.map(([name, provider]) => customStatus(name, provider, builtins, context, common.profile))];
}

/** The selected provider's status for the selected profile (undefined: no such provider). */
export async function selectedStatus({ settings, config }: CliSettings, context: CliContext): Promise<Status | undefined> {
  const profile = settings.profile.value ?? "default";
  const common: CommonAuthFlags = { profile, json: false, quiet: false, verbose: false };
  const statuses = await profileStatuses(common, config, withUrls(context, settings));
  return statuses.find((st) => st.provider === (settings.provider.value ?? "openai"));
}
