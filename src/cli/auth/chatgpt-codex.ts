// Scaffold: replaced by the chatgpt-codex login implementation.
import { ProviderError } from "../../errors.js";
import type { AuthCli } from "./types.js";

const notYet = async (): Promise<never> => {
  throw new ProviderError("config_error", "Login for chatgpt-codex is not built yet.");
};

export const authCli: AuthCli = {
  loginHelp: "  chatgpt-codex: (not built yet)",
  login: notYet,
  logout: notYet,
  async status(common) {
    return { provider: "chatgpt-codex", profile: common.profile, experimental: true, loggedIn: false, usable: false };
  },
};
