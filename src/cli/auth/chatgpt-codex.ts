// `login|logout|status --provider chatgpt-codex` (EXPERIMENTAL): browser or device-code
// sign-in with the Codex client, Codex auth.json import, and Codex access tokens.
import { cliStore } from "../credential-store.js";
import type { AccessTokenCredential, Credential, OAuthCredential, ProfileData } from "../../auth/credential.js";
import { whoami } from "../../auth/codex/access-token.js";
import { defaultCodexAuthPath, readCodexAuthFile } from "../../auth/codex/auth-json.js";
import { CODEX_PROVIDER_ID } from "../../auth/codex/auth-source.js";
import { checkWorkspace, browserLogin } from "../../auth/codex/browser-login.js";
import { codexAuthEndpoints, codexLoginCommand } from "../../auth/codex/constants.js";
import { deviceLogin } from "../../auth/codex/device-login.js";
import { openBrowser } from "../../auth/login/open-browser.js";
import { revokeCodexToken } from "../../auth/codex/tokens.js";
import { CredentialStore } from "../../auth/store/index.js";
import { ProviderError } from "../../errors.js";
import { fingerprint, maskEmail } from "../../redact.js";
import { parseFlags, readSecretFromStdin } from "../args.js";
import type { CliContext } from "../context.js";
import { cancellableSignIn } from "./cancel.js";
import type { AuthCli, CommonAuthFlags, ProviderStatus } from "./types.js";

export const LABEL = "chatgpt-codex (experimental, ChatGPT-backed)";

/** Shown after import and export, and in the help: two holders of one rotating refresh token sign each other out. */
export const ROTATION_WARNING =
  "Refresh tokens rotate: codex-provider and Codex CLI now hold the same sign-in, and whichever refreshes second is " +
  "signed out (refresh_token_reused). Use it from one program only: keep it here (hand it back later with " +
  "`codex-provider export-codex`), or leave it to Codex and import again later. Do not run `codex logout` while " +
  "codex-provider uses it: revoking signs out every copy.";

/** Word-wraps help prose to `width` columns, each line indented. */
export function wrapped(text: string, indent = "", width = 92): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + word.length + 1 <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(`${indent}${word}`);
  }
  return lines.join("\n");
}

const LOGIN_FLAGS = {
  device: { type: "boolean" },
  "no-browser": { type: "boolean" },
  port: { type: "string" },
  "import-codex": { type: "boolean" },
  "with-access-token": { type: "boolean" },
  workspace: { type: "string" },
} as const;

/** `--import-codex=PATH` → `--import-codex PATH`, so the path is an optional positional. */
function splitInlineImport(args: string[]): string[] {
  return args.flatMap((arg) => (arg.startsWith("--import-codex=") ? ["--import-codex", arg.slice("--import-codex=".length)] : [arg]));
}

function parsePorts(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const ports = value.split(",").map((part) => Number(part.trim()));
  if (ports.length === 0 || ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new ProviderError("config_error", `--port must be a port or a comma-separated list of ports (got "${value}").`);
  }
  return ports;
}

function store(context: CliContext): CredentialStore {
  return cliStore(context);
}

async function save(context: CliContext, profile: string, providerId: string, credential: Credential): Promise<void> {
  const put = (data: ProfileData) => {
    data.credentials[providerId] = credential;
  };
  await store(context).modify(profile, put, {
    recoverCorrupt: true,
    onRecovered: (backup) => context.stderr.write(`warning: the credential file was unreadable; kept it as ${backup}\n`),
  });
}

/** The `login` summary: human line(s), or one JSON object. Never a token. */
function report(
  context: CliContext,
  common: CommonAuthFlags,
  fields: { method: string; email?: string; accountId?: string; plan?: string; expiresAt?: number },
  warning?: string,
): number {
  const account = maskEmail(fields.email);
  const expiresAt = fields.expiresAt === undefined ? undefined : new Date(fields.expiresAt).toISOString();
  if (common.json) {
    const summary = { provider: CODEX_PROVIDER_ID, profile: common.profile, experimental: true, method: fields.method, account, accountId: fields.accountId, plan: fields.plan, expiresAt, warning };
    context.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  const who = [account, fields.accountId && `account ${fields.accountId}`, fields.plan && `plan ${fields.plan}`].filter(Boolean).join(", ");
  context.stdout.write(`Signed in to ${LABEL} with ${fields.method}${who ? `: ${who}` : ""} (profile ${common.profile}).\n`);
  if (warning) context.stdout.write(`Warning: ${warning}\n`);
  return 0;
}

async function importCodex(path: string, common: CommonAuthFlags, context: CliContext): Promise<number> {
  const imported = await readCodexAuthFile(path, codexAuthEndpoints(context.env).issuer);
  if (imported.mode === "access-token") {
    // Codex's `codex login --with-access-token`: stored as ours is, after the same check.
    return cancellableSignIn(context, (signal) => storeAccessToken(imported.token, `the Codex access token imported from ${path}`, common, context, signal));
  }
  if (imported.mode === "apikey") {
    // docs/protocol.md#codex-auth-file: an API-key login belongs to the Platform provider.
    await save(context, common.profile, "openai", { type: "api-key", key: imported.apiKey, savedAt: new Date().toISOString() });
    const key = fingerprint(imported.apiKey);
    context.stdout.write(
      common.json
        ? `${JSON.stringify({ provider: "openai", profile: common.profile, imported: path, key })}\n`
        : `${path} holds an API-key login; stored the key ${key} for provider openai (profile ${common.profile}).\n`,
    );
    return 0;
  }
  await save(context, common.profile, CODEX_PROVIDER_ID, imported.credential);
  const { email, accountId, planType, expiresAt } = imported.credential;
  return report(context, common, { method: `the Codex login imported from ${path}`, email, accountId, plan: planType, expiresAt }, ROTATION_WARNING);
}

async function withAccessToken(common: CommonAuthFlags, context: CliContext, signal: AbortSignal): Promise<number> {
  const token = await readSecretFromStdin(
    context.stdin,
    "an access token",
    "printenv CODEX_ACCESS_TOKEN | codex-provider login --provider chatgpt-codex --with-access-token",
  );
  return storeAccessToken(token, "a Codex access token", common, context, signal);
}

/** An access token checked with whoami (its workspace and plan) and stored; `method` names where it came from. */
async function storeAccessToken(token: string, method: string, common: CommonAuthFlags, context: CliContext, signal: AbortSignal): Promise<number> {
  // whoami refuses a value that is not an access token before it sends anything.
  const identity = await whoami(codexAuthEndpoints(context.env), token, signal);
  const credential: AccessTokenCredential = { ...identity, savedAt: new Date().toISOString() };
  await save(context, common.profile, CODEX_PROVIDER_ID, credential);
  return report(context, common, { method: `${method} (${fingerprint(token)}, no refresh)`, email: identity.email, accountId: identity.accountId, plan: identity.planType });
}

async function interactiveLogin(
  values: { device?: boolean; "no-browser"?: boolean; port?: string; workspace?: string },
  common: CommonAuthFlags,
  context: CliContext,
  signal: AbortSignal,
): Promise<number> {
  const endpoints = codexAuthEndpoints(context.env);
  const workspaceIds = values.workspace?.split(",").map((id) => id.trim()).filter(Boolean);
  let credential: OAuthCredential;
  if (values.device) {
    credential = await deviceLogin({
      endpoints,
      signal,
      present: ({ verificationUrl, userCode, expiresInMs }) => {
        context.stderr.write(
          `Sign in to chatgpt-codex (experimental, ChatGPT-backed) with a device code:\n\n` +
            `  1. Open ${verificationUrl} in a browser (any device) and sign in to ChatGPT.\n` +
            `  2. Enter this code: ${userCode}   (it expires in ${Math.round(expiresInMs / 60_000)} minutes)\n\n` +
            `Device codes are a common phishing target. Never share this code.\n` +
            `Waiting for approval… (Ctrl-C to cancel)\n`,
        );
      },
    });
    checkWorkspace(credential, workspaceIds);
  } else {
    credential = await browserLogin({
      endpoints,
      ports: parsePorts(values.port),
      workspaceIds,
      signal,
      async present(url, port) {
        // Printed whole: the user may have to open it by hand.
        context.stderr.write(
          `Sign in with ChatGPT for chatgpt-codex (experimental, ChatGPT-backed). Open this URL in your browser:\n\n  ${url}\n\n` +
            `On a remote or headless machine? Use --device, or forward the port: ssh -L ${port}:localhost:${port} user@remote\n`,
        );
        if (!values["no-browser"] && !(await openBrowser(url, context.env))) context.stderr.write("(Could not open a browser; open the URL above yourself.)\n");
        context.stderr.write("Waiting for the browser to finish signing in… (Ctrl-C to cancel)\n");
      },
    });
  }
  await save(context, common.profile, CODEX_PROVIDER_ID, credential);
  const { email, accountId, planType, expiresAt } = credential;
  return report(context, common, { method: values.device ? "a device code" : "the browser", email, accountId, plan: planType, expiresAt });
}

export const authCli: AuthCli = {
  loginHelp: `  chatgpt-codex (EXPERIMENTAL, ChatGPT-backed: ChatGPT's Codex backend, no stability contract):
      (no flag)              sign in with ChatGPT in the browser (callback on localhost:1455, else 1457)
      --no-browser           print the sign-in URL instead of opening a browser
      --device               device-code sign-in for SSH, containers and WSL (must be enabled in
                             ChatGPT → Settings → Security; workspace admins must allow it)
      --workspace ID[,ID]    only accept a sign-in into these workspaces (allowed_workspace_id)
      --import-codex [PATH]  copy Codex CLI's login (default $CODEX_HOME/auth.json, else ~/.codex/auth.json);
                             an API-key login is stored for provider openai, an access-token login
                             (codex login --with-access-token) as an access token
      --with-access-token    read a Codex access token (at-…, Business/Enterprise) from stdin; no refresh
      --port P[,P]           callback ports (default 1455,1457; only these are registered with OpenAI)
${wrapped(`With --import-codex of a ChatGPT sign-in: ${ROTATION_WARNING}`, "    ")}
    Examples: codex-provider login --provider chatgpt-codex --device
              printenv CODEX_ACCESS_TOKEN | codex-provider login --provider chatgpt-codex --with-access-token`,

  async login(args, common, context) {
    const { values, positionals } = parseFlags(splitInlineImport(args), LOGIN_FLAGS, true);
    const modes = [values.device, values["import-codex"], values["with-access-token"]].filter(Boolean).length;
    if (modes > 1) throw new ProviderError("config_error", "Choose one of --device, --import-codex and --with-access-token.");
    if (positionals.length > (values["import-codex"] ? 1 : 0)) throw new ProviderError("config_error", `Unexpected argument ${positionals.at(-1)}.`);
    if (values["import-codex"]) return importCodex(positionals[0] ?? defaultCodexAuthPath(context.env), common, context);
    return cancellableSignIn(context, (signal) =>
      values["with-access-token"] ? withAccessToken(common, context, signal) : interactiveLogin(values, common, context, signal),
    );
  },

  async logout(args, common, context) {
    const { values } = parseFlags(args, { "no-revoke": { type: "boolean" } });
    const removed = await store(context).modify(common.profile, (data) => {
      const credential = data.credentials[CODEX_PROVIDER_ID];
      delete data.credentials[CODEX_PROVIDER_ID];
      return credential;
    });
    // docs/protocol.md#codex-revocation: best effort, after the local copy is gone; it ends every copy of this sign-in.
    const revoked = removed?.type === "oauth" && !values["no-revoke"] ? await revokeCodexToken(codexAuthEndpoints(context.env), removed) : false;
    if (common.json) {
      context.stdout.write(`${JSON.stringify({ provider: CODEX_PROVIDER_ID, profile: common.profile, removed: removed !== undefined, revoked })}\n`);
    } else if (!removed) {
      context.stdout.write(`No stored chatgpt-codex sign-in (profile ${common.profile}).\n`);
    } else {
      const remote =
        removed.type !== "oauth" ? "" : revoked ? " The sign-in was revoked (this signs out every copy of it, Codex CLI's included)." : values["no-revoke"] ? " It was not revoked (--no-revoke)." : " Revoking it at OpenAI failed (best effort).";
      context.stdout.write(`Removed the chatgpt-codex credential (profile ${common.profile}).${remote}\n`);
    }
    return 0;
  },

  async status(common, context) {
    const base = { provider: CODEX_PROVIDER_ID, profile: common.profile, experimental: true, detail: "experimental, ChatGPT-backed" };
    const envToken = context.env.CODEX_ACCESS_TOKEN?.trim();
    if (envToken) {
      return { ...base, loggedIn: true, usable: true, method: `Codex access token from CODEX_ACCESS_TOKEN (${fingerprint(envToken)})` };
    }
    const credential = (await store(context).read(common.profile)).credentials[CODEX_PROVIDER_ID];
    const loginCommand = codexLoginCommand(common.profile);
    const identity = (c: { email?: string; accountId?: string; planType?: string }): Partial<ProviderStatus> => ({
      account: [maskEmail(c.email), c.accountId && `account ${c.accountId}`].filter(Boolean).join(", ") || undefined,
      accountId: c.accountId,
      plan: c.planType,
    });
    if (credential?.type === "access-token") {
      return { ...base, ...identity(credential), loggedIn: true, usable: true, method: `stored Codex access token (${fingerprint(credential.token)}, no refresh)` };
    }
    if (credential?.type === "oauth") {
      const failure = credential.refreshFailure;
      return {
        ...base,
        ...identity(credential),
        loggedIn: true,
        usable: !failure,
        method: "ChatGPT sign-in (Codex client)",
        expiresAt: credential.expiresAt === undefined ? undefined : new Date(credential.expiresAt).toISOString(),
        detail: failure ? `experimental, ChatGPT-backed; refresh failed: ${failure.message}` : `${base.detail}; refreshes automatically`,
        hint: failure ? `Sign in again: ${loginCommand}` : undefined,
      };
    }
    return { ...base, loggedIn: false, usable: false, hint: `${loginCommand} [--device | --import-codex]` };
  },
};
