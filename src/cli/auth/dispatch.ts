// Splits the flags every auth command shares from the provider-specific ones.
import { ProviderError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { AUTH_CLI, type AuthCli, type CommonAuthFlags } from "./types.js";

export interface SplitArgs {
  provider?: string;
  common: CommonAuthFlags;
  rest: string[];
  /** --profile was given on the command line. */
  profileFlag: boolean;
  /** --proxy, a setting flag: applied to the sign-in's requests by authArgs. */
  proxy?: string;
}

function splitAuthArgs(args: string[]): SplitArgs {
  const common: CommonAuthFlags = { profile: "default", json: false, quiet: false, verbose: false };
  let profileFlag = false;
  let provider: string | undefined;
  let proxy: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v.startsWith("-")) throw new ProviderError("config_error", `${flag} needs a value.`);
      return v;
    };
    if (flag === "--provider" || flag === "-p") provider = value();
    else if (flag === "--profile") {
      common.profile = value();
      profileFlag = true;
    }
    else if (flag === "--proxy") proxy = value();
    else if (flag === "--json") common.json = true;
    else if (flag === "--quiet" || flag === "-q") common.quiet = true;
    else if (flag === "--verbose") common.verbose = true;
    else rest.push(arg);
  }
  return { provider, common, rest, profileFlag, proxy };
}

/**
 * splitAuthArgs, with the profile from CODEX_PROVIDER_PROFILE or config.toml when no flag
 * names one; resolving the settings also applies the proxy (flag, env or config).
 */
export async function authArgs(args: string[], context: CliContext): Promise<SplitArgs> {
  const split = splitAuthArgs(args);
  const { cliSettings } = await import("../open-provider.js");
  const { settings } = await cliSettings({ proxy: split.proxy }, context);
  if (!split.profileFlag) split.common.profile = settings.profile.value ?? "default";
  return split;
}

export async function loadAuthCli(provider: string): Promise<AuthCli> {
  const load = AUTH_CLI[provider];
  if (!load) {
    throw new ProviderError("config_error", `"${provider}" has no login of its own. Choose one of: ${Object.keys(AUTH_CLI).join(", ")}.`, {
      hint: "Custom providers use an env key or, with requires_openai_auth = true, your OpenAI credential.",
    });
  }
  return (await load()).authCli;
}
