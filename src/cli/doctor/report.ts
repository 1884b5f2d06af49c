// What `doctor` finds out, as one plain object (printed as a table or as --json): the
// local facts first, then the probes, all at once and each bounded in time. Nothing
// here spends tokens: no inference endpoint is called and no credential is sent.
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { CODEX_PROVIDER_ID } from "../../auth/codex/auth-source.js";
import type { Credential } from "../../auth/credential.js";
import { discoveryUrl } from "../../auth/oauth/discovery.js";
import { siwcIssuer } from "../../auth/siwc/constants.js";
import { loadConfig, type LoadedConfig } from "../../config/load.js";
import { configFile, stateHome, type Env } from "../../config/paths.js";
import { checkStateHome, octal } from "../../config/state-permissions.js";
import { resolveSettings, urlEnv, type SettingKey, type Settings } from "../../config/settings.js";
import { ProviderError } from "../../errors.js";
import { codexBackendRoot, CODEX_DEFAULT_CHATGPT_URL } from "../../providers/chatgpt-codex.js";
import { platformBaseUrl } from "../../providers/openai.js";
import { redact } from "../../redact.js";
import type { CommonAuthFlags } from "../auth/types.js";
import type { CliContext } from "../context.js";
import { cliStore } from "../credential-store.js";
import { ExitCode } from "../exit-codes.js";
import { profileStatuses, type Status } from "../provider-status.js";
import { configureProxy } from "../../transport/proxy.js";
import { probe, type ProbeResult } from "./probe.js";

/** package.json's engines.node; older Node lacks APIs the library uses. */
const NODE_MINIMUM = [20, 18, 1] as const;
/** Beyond this, token expiry checks and server-side validation disagree with us (common JWT leeway). */
export const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;
/** Variables that change where requests go or which certificates are trusted; both cases, as proxies read both. */
const NETWORK_VARIABLES = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "NODE_USE_ENV_PROXY", "NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED", "SSL_CERT_FILE", "SSL_CERT_DIR"];
const SHOWN_SETTINGS: readonly SettingKey[] = ["provider", "profile", "model", "api_url", "auth_url", "chatgpt_url", "proxy", "max_retries", "request_timeout_ms"];

export interface Check {
  ok: boolean;
  /** What to do about it, when not ok. */
  hint?: string;
}

interface CredentialReport {
  provider: string;
  usable: boolean;
  signedIn: boolean;
  unreadable: boolean;
  /** How the credential is held, with a fingerprint at most. */
  kind?: string;
  account?: string;
  plan?: string;
  expiresAt?: string;
  scopes?: string[];
  lastRefresh?: string;
  refreshFailure?: { code: string; at: string };
  detail?: string;
  hint?: string;
}

export interface DoctorReport {
  ready: boolean;
  exitCode: number;
  selected: { provider: string; profile: string };
  node: Check & { version: string; required: string };
  home: Check & { path: string; from: string; exists: boolean; mode?: string; writable: boolean };
  config: Check & { path: string; exists: boolean; error?: string; settings: Record<string, { value?: string; source: string; origin?: string }> };
  credentials: CredentialReport[];
  network: Record<string, string>;
  endpoints: ProbeResult[];
  clock: Check & { skewMs?: number; from?: string };
  problems: string[];
}

export async function doctorReport(flags: Record<string, string | boolean | undefined>, context: CliContext): Promise<DoctorReport> {
  const { config, configError, settings } = await readSettings(flags, context.env);
  const selected = { provider: settings.provider.value ?? "openai", profile: settings.profile.value ?? "default" };
  const env: Env = { ...context.env, ...urlEnv(settings) };
  const home = stateHome(context.env);
  // The proxy rules every command applies, so the probes take the route calls would.
  configureProxy({ proxy: settings.proxy.value, proxyOrigin: settings.proxy.origin, env: context.env });
  const [homeCheck, credentials, endpoints] = await Promise.all([
    checkHome(home, context.env),
    credentialReports(selected.profile, config, { ...context, env }),
    Promise.all(endpointsFor(selected.provider, config, env).map(([name, url]) => probe(name, url))),
  ]);
  const configPath = config?.path ?? configFile(home);
  const report: DoctorReport = {
    ready: false,
    exitCode: ExitCode.ok,
    selected,
    node: checkNode(),
    home: homeCheck,
    config: {
      ok: configError === undefined,
      path: configPath,
      exists: config?.exists ?? true,
      error: configError,
      hint: configError && `fix ${configPath} (codex-provider config check shows every problem)`,
      settings: Object.fromEntries(SHOWN_SETTINGS.map((key) => [key, { value: settings[key].value?.toString(), source: settings[key].source, origin: settings[key].origin }])),
    },
    credentials,
    network: networkVariables(context.env),
    endpoints,
    clock: clockCheck(endpoints),
    problems: [],
  };
  return judge(report);
}

/** Settings as commands resolve them; a broken config.toml is reported and left out rather than ending the diagnosis. */
async function readSettings(flags: Record<string, string | boolean | undefined>, env: Env): Promise<{ config?: LoadedConfig; configError?: string; settings: Settings }> {
  let config: LoadedConfig | undefined;
  let configError: string | undefined;
  try {
    config = await loadConfig(env);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    configError = error.message;
  }
  const { providers: _providers, ...topLevel } = config?.data ?? {};
  const settings = resolveSettings({ flags, env, config: topLevel, configOrigin: (key) => config?.origin([key]) ?? "" });
  return { config, configError, settings };
}

function checkNode(): DoctorReport["node"] {
  const version = process.versions.node;
  const parts = version.split(".").map(Number);
  const index = NODE_MINIMUM.findIndex((part, i) => parts[i] !== part);
  const ok = index === -1 || parts[index] > NODE_MINIMUM[index];
  const required = `>=${NODE_MINIMUM.join(".")}`;
  return { ok, version: `v${version}`, required, hint: ok ? undefined : `install Node ${required} (e.g. npx -y node@20 …)` };
}

async function checkHome(path: string, env: Env): Promise<DoctorReport["home"]> {
  const from = env.CODEX_PROVIDER_HOME ? "CODEX_PROVIDER_HOME" : "default (~/.codex-provider)";
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return { ok: false, path, from, exists: false, writable: false, hint: `cannot read ${path} (${(error as NodeJS.ErrnoException).code})` };
    // Created on first sign-in; fine if its parent can hold it.
    return { ok: true, path, from, exists: false, writable: true, hint: "created at first sign-in" };
  }
  if (!info.isDirectory()) return { ok: false, path, from, exists: true, writable: false, hint: `${path} is not a directory: point CODEX_PROVIDER_HOME at a directory` };
  const writable = await access(path, constants.W_OK).then(() => true, () => false);
  const mode = process.platform === "win32" ? undefined : octal(info.mode);
  // The same StrictModes check every command makes before trusting the directory.
  let unsafe: string | undefined;
  try {
    checkStateHome(path);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    unsafe = `${error.message}. ${error.hint ?? ""}`.trim();
  }
  const hint = unsafe ?? (writable ? undefined : `cannot write to ${path}: sign-ins would fail (fix its owner or permissions)`);
  return { ok: writable && !unsafe, path, from, exists: true, mode, writable, hint };
}

async function credentialReports(profile: string, config: LoadedConfig | undefined, context: CliContext): Promise<CredentialReport[]> {
  const common: CommonAuthFlags = { profile, json: false, quiet: true, verbose: false };
  const empty: LoadedConfig = { path: "", exists: false, data: {}, origin: () => "", warnings: [] };
  const statuses = await profileStatuses(common, config ?? empty, context);
  let stored: Partial<Record<string, Credential>> = {};
  try {
    stored = (await cliStore(context).read(profile)).credentials;
  } catch {
    // Already reported per provider as unreadable by profileStatuses.
  }
  return statuses.map((status) => credentialReport(status, stored[status.provider]));
}

function credentialReport(status: Status, stored: Credential | undefined): CredentialReport {
  const oauth = stored?.type === "oauth" ? stored : undefined;
  return {
    provider: status.provider,
    usable: status.usable,
    signedIn: status.loggedIn,
    unreadable: status.unreadable ?? false,
    kind: status.method,
    account: status.account,
    plan: status.plan,
    expiresAt: status.expiresAt,
    scopes: oauth?.scopes,
    lastRefresh: oauth?.lastRefresh,
    refreshFailure: oauth?.refreshFailure && { code: oauth.refreshFailure.code, at: oauth.refreshFailure.at },
    detail: status.detail,
    hint: status.hint,
  };
}

/** The endpoints a provider reaches besides inference: the OAuth server's discovery document and the model list. */
function endpointsFor(provider: string, config: LoadedConfig | undefined, env: Env): Array<[string, string]> {
  const models = (base: string) => `${base.replace(/\/+$/, "")}/models`;
  if (provider === "openai") return [["models", models(platformBaseUrl(env))]];
  if (provider === "chatgpt") return [["discovery", discoveryUrl(siwcIssuer(env))], ["models", models(platformBaseUrl(env))]];
  if (provider === CODEX_PROVIDER_ID) {
    const root = codexBackendRoot(env.CODEX_PROVIDER_CHATGPT_URL ?? CODEX_DEFAULT_CHATGPT_URL);
    return [["discovery", discoveryUrl(siwcIssuer(env))], ["models", `${root}/codex/models`]];
  }
  const custom = config?.data.providers?.[provider];
  if (!custom) return [];
  const own: Array<[string, string]> = custom.models?.length ? [] : [["models", models(custom.base_url)]];
  const borrowed = custom.requires_openai_auth && custom.auth && custom.auth !== "openai" ? endpointsFor(custom.auth, config, env).filter(([name]) => name === "discovery") : [];
  return [...borrowed, ...own];
}

/** The network variables in effect, with any user:password in a proxy URL masked. */
function networkVariables(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of NETWORK_VARIABLES) {
    for (const variant of [name, name.toLowerCase()]) {
      const value = env[variant];
      if (value !== undefined && value !== "") out[variant] = redact(value.replace(/\/\/[^/@\s]*@/, "//***@"));
    }
  }
  return out;
}

function clockCheck(endpoints: ProbeResult[]): DoctorReport["clock"] {
  const dated = endpoints.find((e) => e.skewMs !== undefined);
  if (!dated) return { ok: true, hint: "no server answered with a Date header: not measured" };
  const skewMs = dated.skewMs!;
  // The Date header has one-second resolution.
  const ok = Math.abs(skewMs) < CLOCK_SKEW_LIMIT_MS;
  return { ok, skewMs, from: dated.url, hint: ok ? undefined : "set this computer's clock (enable NTP): token expiry is judged by it" };
}

/** Whether the selected provider is ready, the problems in order of importance, and the exit code of the first. */
function judge(report: DoctorReport): DoctorReport {
  const problems: Array<[number, string]> = [];
  if (!report.config.ok) problems.push([ExitCode.usage, `config.toml is invalid: ${report.config.error}`]);
  const credential = report.credentials.find((c) => c.provider === report.selected.provider);
  if (!credential) problems.push([ExitCode.usage, `unknown provider "${report.selected.provider}"`]);
  else if (!credential.usable) problems.push([ExitCode.auth, `${credential.provider} has no usable credential (profile ${report.selected.profile})${credential.hint ? `: ${credential.hint}` : ""}`]);
  for (const endpoint of report.endpoints) if (!endpoint.reachable) problems.push([ExitCode.network, `${endpoint.name} endpoint ${endpoint.url} is unreachable: ${endpoint.error}`]);
  for (const [name, check] of [["Node", report.node], ["state directory", report.home], ["clock", report.clock]] as const) {
    if (!check.ok) problems.push([ExitCode.failure, `${name}: ${check.hint}`]);
  }
  return { ...report, ready: problems.length === 0, exitCode: problems[0]?.[0] ?? ExitCode.ok, problems: problems.map(([, text]) => text) };
}
