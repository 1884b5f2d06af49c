// `codex-provider export-codex [PATH]`: our chatgpt-codex sign-in (or access token) as a
// Codex CLI auth.json (docs/protocol.md#codex-auth-file), written atomically with mode 0600.
import { cliStore } from "../credential-store.js";
import { access } from "node:fs/promises";
import { defaultCodexAuthPath, writeCodexAuthFile } from "../../auth/codex/auth-json.js";
import { CODEX_PROVIDER_ID } from "../../auth/codex/auth-source.js";
import { codexLoginCommand } from "../../auth/codex/constants.js";
import { ProviderError } from "../../errors.js";
import { fingerprint, maskEmail } from "../../redact.js";
import { parseFlags } from "../args.js";
import { ROTATION_WARNING, wrapped } from "../auth/chatgpt-codex.js";
import type { Command } from "../context.js";

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export const command: Command = {
  summary: "Write the chatgpt-codex sign-in as a Codex CLI auth.json",
  help: `Usage: codex-provider export-codex [PATH] [--profile <name>] [--force] [--json]

Writes the chatgpt-codex (experimental) sign-in in Codex CLI's auth.json layout, mode 0600,
atomically. PATH defaults to $CODEX_HOME/auth.json, else ~/.codex/auth.json. An existing
file is only replaced with --force (Codex's own login there would be lost). A Codex access
token (login --with-access-token) is written as \`codex login --with-access-token\` writes it;
Codex checks it with OpenAI when it starts.

${wrapped(`ChatGPT sign-ins only. ${ROTATION_WARNING}`)}

Examples:
  codex-provider export-codex
  CODEX_HOME=/tmp/codex codex-provider export-codex && CODEX_HOME=/tmp/codex codex login status
`,
  async run(args, context) {
    const { values, positionals } = parseFlags(
      args,
      { profile: { type: "string" }, force: { type: "boolean" }, json: { type: "boolean" } },
      true,
    );
    if (positionals.length > 1) throw new ProviderError("config_error", `Unexpected argument ${positionals[1]}.`);
    const profile = values.profile ?? "default";
    const path = positionals[0] ?? defaultCodexAuthPath(context.env);
    const credential = (await cliStore(context).read(profile)).credentials[CODEX_PROVIDER_ID];
    if (credential?.type !== "oauth" && credential?.type !== "access-token") {
      throw new ProviderError("login_required", `No chatgpt-codex sign-in to export (profile ${profile}).`, {
        hint: `Sign in first: ${codexLoginCommand(profile)}`,
      });
    }
    if (credential.type === "oauth" && credential.refreshFailure) {
      throw new ProviderError("login_required", `The stored sign-in can no longer be refreshed (${credential.refreshFailure.message}); exporting it would not work.`, {
        hint: `Sign in again: ${codexLoginCommand(profile)}`,
      });
    }
    if (!values.force && (await exists(path))) {
      throw new ProviderError("config_error", `${path} already exists; pass --force to replace it (the login stored there would be lost).`);
    }
    await writeCodexAuthFile(path, credential);
    // An access token does not rotate: both programs can hold it.
    const warning = credential.type === "oauth" ? ROTATION_WARNING : undefined;
    const kind = credential.type === "oauth" ? "sign-in" : "access-token";
    if (values.json) {
      context.stdout.write(`${JSON.stringify({ provider: CODEX_PROVIDER_ID, profile, path, kind, accountId: credential.accountId, warning })}\n`);
    } else {
      const what = credential.type === "oauth" ? "" : ` with the Codex access token ${fingerprint(credential.token)}`;
      const who = [maskEmail(credential.email), credential.accountId && `account ${credential.accountId}`].filter(Boolean).join(", ");
      context.stdout.write(`Wrote ${path} (mode 0600)${what} for ${who || "the chatgpt-codex sign-in"}.\n${warning ? `Warning: ${warning}\n` : ""}`);
    }
    return 0;
  },
};
