// `login --provider openai --with-api-key`: store a Platform key read from stdin
// (never from argv, so it stays out of shell history and process lists).
import { cliStore } from "../credential-store.js";
import { ProviderError } from "../../errors.js";
import { fingerprint } from "../../redact.js";
import { createProvider } from "../../providers/registry.js";
import { parseFlags, readSecretFromStdin } from "../args.js";
import type { AuthCli } from "./types.js";

export const authCli: AuthCli = {
  loginHelp: `  openai:
      --with-api-key      read a Platform API key from stdin and store it (0600)
      --no-verify         store without checking the key against the API
    Example: printenv OPENAI_API_KEY | codex-provider login --provider openai --with-api-key`,

  async login(args, common, context) {
    const { values } = parseFlags(args, { "with-api-key": { type: "boolean" }, "no-verify": { type: "boolean" } });
    if (!values["with-api-key"]) {
      throw new ProviderError("config_error", "The openai provider logs in with an API key: pass --with-api-key and the key on stdin.", {
        hint: "printenv OPENAI_API_KEY | codex-provider login --provider openai --with-api-key",
      });
    }
    const key = await readSecretFromStdin(context.stdin, "an API key", "printenv OPENAI_API_KEY | codex-provider login --provider openai --with-api-key");
    if (!values["no-verify"]) {
      await createProvider({ provider: "openai", apiKey: key, env: context.env, retry: { maxRetries: 1 } }).listModels();
    }
    const store = cliStore(context);
    await store.modify(
      common.profile,
      (data) => {
        data.credentials.openai = { type: "api-key", key, savedAt: new Date().toISOString() };
      },
      { recoverCorrupt: true, onRecovered: (backup) => context.stderr.write(`warning: the credential file was unreadable; kept it as ${backup}\n`) },
    );
    const message = { provider: "openai", profile: common.profile, stored: true, key: fingerprint(key) };
    context.stdout.write(common.json ? `${JSON.stringify(message)}\n` : `Stored API key ${message.key} for provider openai (profile ${common.profile}).\n`);
    return 0;
  },

  async logout(_args, common, context) {
    const store = cliStore(context);
    const removed = await store.modify(common.profile, (data) => {
      const had = data.credentials.openai !== undefined;
      delete data.credentials.openai;
      return had;
    });
    context.stdout.write(common.json ? `${JSON.stringify({ provider: "openai", profile: common.profile, removed })}\n` : removed ? "Removed the stored API key.\n" : "No stored API key.\n");
    return 0;
  },

  async status(common, context) {
    const base = { provider: "openai", profile: common.profile, experimental: false };
    if (context.env.OPENAI_API_KEY) {
      return { ...base, loggedIn: true, usable: true, method: `API key from OPENAI_API_KEY (${fingerprint(context.env.OPENAI_API_KEY)})` };
    }
    const data = await cliStore(context).read(common.profile);
    const credential = data.credentials.openai;
    if (credential?.type === "api-key") {
      return { ...base, loggedIn: true, usable: true, method: `stored API key (${fingerprint(credential.key)})` };
    }
    return { ...base, loggedIn: false, usable: false, hint: "printenv OPENAI_API_KEY | codex-provider login --provider openai --with-api-key" };
  },
};
