// `login|logout|status --provider chatgpt`: Sign in with ChatGPT in the browser
// (docs/protocol.md#sign-in-with-chatgpt). The flow lives in src/auth/siwc; this file is the terminal side.
import { cliStore } from "../credential-store.js";
import { noticePrinter } from "../open-provider.js";
import { join } from "node:path";
import type { OAuthCredential } from "../../auth/credential.js";
import { openBrowser } from "../../auth/login/open-browser.js";
import { DEFAULT_CALLBACK_PORT, enablePlanUsageHint, loginCommand, PLAN_SCOPE, PROVIDER_ID, siwcIssuer } from "../../auth/siwc/constants.js";
import { loginWithChatGpt } from "../../auth/siwc/login.js";
import { revokeCredential } from "../../auth/siwc/revoke.js";
import { hostIdPath } from "../../auth/store/index.js";
import { credentialsDir, stateHome } from "../../config/paths.js";
import { ProviderError } from "../../errors.js";
import { ExitCode } from "../exit-codes.js";
import { maskEmail } from "../../redact.js";
import { parseFlags } from "../args.js";
import type { CliContext } from "../context.js";
import { formatDuration } from "../../time-format.js";
import { style } from "../format.js";
import { cancellableSignIn } from "./cancel.js";
import type { AuthCli, CommonAuthFlags } from "./types.js";

const LOGIN_TIMEOUT_MS = 5 * 60_000;

/** `--port N` pins the port (an error if busy); by default 1455, else any free port (SIWC allows any). */
function callbackPorts(flag: string | undefined): number[] {
  if (flag === undefined) return [DEFAULT_CALLBACK_PORT, 0];
  const port = Number(flag);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ProviderError("config_error", `--port must be a port number from 0 to 65535 (got "${flag}"); 0 picks any free port.`);
  }
  return [port];
}

/** SIWC has no device flow (docs/protocol.md#siwc-eligibility): headless machines get a signed-in credential file. */
function headlessHint(context: CliContext, profile: string): string {
  const home = stateHome(context.env);
  return (
    `No browser on this machine? Sign-in with ChatGPT has no device-code flow. Sign in on a machine with a browser, ` +
    `then copy ${join(credentialsDir(home), `${profile}.json`)} to the same path here over SSH (keep it mode 0600). ` +
    `Do not copy ${hostIdPath(home)}: this machine keeps its own host id. From then on only this machine should use (and refresh) that sign-in.`
  );
}

function write(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${line}\n`);
}

async function login(args: string[], common: CommonAuthFlags, context: CliContext): Promise<number> {
  if (args.includes("--device")) {
    throw new ProviderError("config_error", "Sign in with ChatGPT has no device-code flow (--device is for chatgpt-codex).", {
      hint:
        `Over SSH: run with --no-browser, forward the callback port (ssh -L ${DEFAULT_CALLBACK_PORT}:127.0.0.1:${DEFAULT_CALLBACK_PORT} <host>) ` +
        `and open the printed URL in your local browser. ${headlessHint(context, common.profile)}`,
    });
  }
  const { values } = parseFlags(args, { "no-browser": { type: "boolean" }, port: { type: "string" } });
  const ports = callbackPorts(values.port);
  const s = style(context.color);
  return cancellableSignIn(context, async (signal) => {
    const { credential, registered } = await loginWithChatGpt({
      env: context.env,
      home: stateHome(context.env),
      profile: common.profile,
      ports,
      timeoutMs: LOGIN_TIMEOUT_MS,
      signal,
      async present(url) {
        const opened = !values["no-browser"] && (await openBrowser(url, context.env));
        write(context.stderr, opened ? "Opened your browser to sign in with ChatGPT. If it did not open, visit:" : "To sign in with ChatGPT, open this URL in a browser:");
        // Alone on its line so it can be copied (and found by scripts).
        write(context.stderr, url);
        if (!opened && !common.quiet) write(context.stderr, s.dim(headlessHint(context, common.profile)));
        write(context.stderr, s.dim(`Waiting for the sign-in to finish in the browser (times out after ${formatDuration(LOGIN_TIMEOUT_MS)}; Ctrl-C cancels)…`));
      },
      onRecovered: (backup) => write(context.stderr, `warning: the credential file was unreadable; kept it as ${backup}`),
      onNotice: noticePrinter(context, { quiet: false, experimentalNotice: false }),
    });
    return reportLogin(credential, registered, common, context);
  });
}

function reportLogin(credential: OAuthCredential, registered: boolean, common: CommonAuthFlags, context: CliContext): number {
  const enabled = credential.planUsageEnabled !== false;
  const account = maskEmail(credential.email) ?? "your ChatGPT account";
  if (common.json) {
    const summary = {
      provider: PROVIDER_ID,
      profile: common.profile,
      account,
      registered,
      planUsageEnabled: enabled,
      expiresAt: credential.expiresAt === undefined ? undefined : new Date(credential.expiresAt).toISOString(),
    };
    write(context.stdout, JSON.stringify(summary));
  } else {
    write(context.stdout, `Signed in to ChatGPT as ${account} (profile ${common.profile})${registered ? "; registered codex-provider as a new app" : ""}.`);
  }
  if (enabled) return ExitCode.ok;
  // docs/protocol.md#siwc-callback: the sign-in is kept, but a model call would be refused; say what is missing.
  write(context.stderr, `warning: plan usage is disabled: the scope ${PLAN_SCOPE} was not granted, so model calls will be refused.`);
  write(context.stderr, enablePlanUsageHint(common.profile));
  return ExitCode.auth;
}

async function logout(args: string[], common: CommonAuthFlags, context: CliContext): Promise<number> {
  parseFlags(args, {});
  const store = cliStore(context);
  const credential = (await store.read(common.profile)).credentials[PROVIDER_ID];
  if (credential?.type !== "oauth") {
    write(context.stdout, common.json ? JSON.stringify({ provider: PROVIDER_ID, profile: common.profile, removed: false }) : "Not signed in to ChatGPT.");
    return ExitCode.ok;
  }
  const outcome = await revokeCredential(siwcIssuer(context.env), credential);
  // docs/protocol.md#siwc-sign-out: delete the tokens, keep the account→client mapping and the host id.
  await store.modify(common.profile, (data) => {
    delete data.credentials[PROVIDER_ID];
  });
  if (common.json) {
    const summary = { provider: PROVIDER_ID, profile: common.profile, removed: true, revoked: outcome.confirmed, reason: outcome.confirmed ? undefined : outcome.reason };
    write(context.stdout, JSON.stringify(summary));
  } else if (outcome.confirmed) {
    write(context.stdout, `Signed out of ChatGPT (${maskEmail(credential.email) ?? "account"}): the sign-in was revoked and the local credential deleted.`);
  } else {
    write(context.stdout, "Deleted the local ChatGPT credential.");
    write(context.stderr, `warning: could not confirm the revocation (${outcome.reason}). To be sure, disconnect codex-provider in ChatGPT Settings.`);
  }
  return ExitCode.ok;
}

export const authCli: AuthCli = {
  loginHelp: `  chatgpt (Sign in with ChatGPT: uses your ChatGPT Plus/Pro plan):
      --no-browser        do not open a browser; print the sign-in URL and wait
      --port <n>          callback port on 127.0.0.1 (default ${DEFAULT_CALLBACK_PORT}, or any free port if it is busy;
                          with --port the port is required; 0 = any free port)
    There is no device-code flow: on a machine without a browser, sign in elsewhere and
    copy $CODEX_PROVIDER_HOME/credentials/<profile>.json (mode 0600) over; keep each
    machine's own $CODEX_PROVIDER_HOME/host-id.
    Example: codex-provider login --provider chatgpt`,
  login,
  logout,

  async status(common, context) {
    const base = { provider: PROVIDER_ID, profile: common.profile, experimental: false };
    const credential = (await cliStore(context).read(common.profile)).credentials[PROVIDER_ID];
    if (credential?.type !== "oauth") return { ...base, loggedIn: false, usable: false, hint: loginCommand(common.profile) };
    const signedIn = {
      ...base,
      loggedIn: true,
      method: "Sign in with ChatGPT",
      account: maskEmail(credential.email),
      expiresAt: credential.expiresAt === undefined ? undefined : new Date(credential.expiresAt).toISOString(),
    };
    if (credential.refreshFailure) {
      return { ...signedIn, usable: false, detail: credential.refreshFailure.message, hint: `Sign in again: ${loginCommand(common.profile)}` };
    }
    if (credential.planUsageEnabled === false) {
      return { ...signedIn, usable: false, detail: `plan usage disabled (scope ${PLAN_SCOPE} not granted)`, hint: enablePlanUsageHint(common.profile) };
    }
    const expired = credential.expiresAt !== undefined && credential.expiresAt <= Date.now();
    return { ...signedIn, usable: true, detail: `plan usage enabled${expired ? "; access token expired, refreshed automatically on next use" : ""}` };
  },
};
