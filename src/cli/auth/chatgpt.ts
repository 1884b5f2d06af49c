// Scaffold: replaced by the chatgpt login implementation.
import { ProviderError } from "../../errors.js";
import type { AuthCli } from "./types.js";

const notYet = async (): Promise<never> => {
  throw new ProviderError("config_error", "Login for chatgpt is not built yet.");
};

export const authCli: AuthCli = {
  loginHelp: "  chatgpt: (not built yet)",
  login: notYet,
  logout: notYet,
  async status(common) {
    return { provider: "chatgpt", profile: common.profile, experimental: false, loggedIn: false, usable: false };
  },
};
