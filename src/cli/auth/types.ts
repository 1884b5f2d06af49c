// The per-provider half of `login`, `logout` and `status`. Each provider module
// parses its own login flags, so the dispatcher stays generic.
import type { CliContext } from "../context.js";

export interface CommonAuthFlags {
  profile: string;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

export interface ProviderStatus {
  provider: string;
  profile: string;
  experimental: boolean;
  loggedIn: boolean;
  /** Logged in and able to make model calls now (or after an automatic refresh). */
  usable: boolean;
  method?: string;
  /** Masked account label (email or id). */
  account?: string;
  accountId?: string;
  plan?: string;
  /** ISO 8601 expiry of the current access token or key, when known. */
  expiresAt?: string;
  /** One line of extra state (e.g. "plan usage disabled"). */
  detail?: string;
  /** What to run to fix an unusable state. */
  hint?: string;
}

export interface AuthCli {
  /** The provider-specific part of `login --help`. */
  loginHelp: string;
  login(args: string[], common: CommonAuthFlags, context: CliContext): Promise<number>;
  logout(args: string[], common: CommonAuthFlags, context: CliContext): Promise<number>;
  status(common: CommonAuthFlags, context: CliContext): Promise<ProviderStatus>;
}

export const AUTH_CLI: Record<string, () => Promise<{ authCli: AuthCli }>> = {
  openai: () => import("./openai.js"),
  chatgpt: () => import("./chatgpt.js"),
  "chatgpt-codex": () => import("./chatgpt-codex.js"),
};
