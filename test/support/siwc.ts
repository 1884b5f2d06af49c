// Shared plumbing for the tests that sign in with ChatGPT (SIWC): scratch homes, the real CLI as a child
// process with every byte of its output captured, and a scripted "browser".
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OAuthCredential, ProfileData } from "#src/auth/credential.js";
import { loginWithChatGpt } from "#src/auth/siwc/login.js";
import { after, before } from "node:test";
import { startEmulator, type Emulator } from "#src/emulator/index.js";
import { runCli, type CliResult } from "./cli.js";

/** Every token value a test saw in a credential file. */
export const seenTokens = new Set<string>();

const homes: string[] = [];

/** A scratch CODEX_PROVIDER_HOME, removed after the file's tests (see useEmulator). */
export async function tempHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "codex-provider-siwc-"));
  homes.push(home);
  return home;
}

/** One emulator for the whole test file, closed afterwards along with every scratch home. */
export function useEmulator(): { emu: Emulator } {
  const fixture = {} as { emu: Emulator };
  before(async () => {
    fixture.emu = await startEmulator();
  });
  after(async () => {
    await fixture.emu?.close();
    await Promise.all(homes.splice(0).map((home) => rm(home, { recursive: true, force: true })));
  });
  return fixture;
}

export function siwcEnv(emu: Emulator, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("CODEX_PROVIDER_") && key !== "OPENAI_API_KEY" && key !== "OPENAI_BASE_URL") env[key] = value;
  }
  return { ...env, CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_AUTH_URL: emu.authUrl, CODEX_PROVIDER_API_URL: emu.apiUrl, CODEX_PROVIDER_NO_BROWSER: "1", NO_COLOR: "1" };
}

export interface BrowserVisit {
  /** Where the sign-in server redirected (the callback URL). */
  callbackUrl: URL;
  status: number;
  page: string;
}

/**
 * Plays the user's browser: follows the authorize URL (the emulator approves or denies
 * at once) and delivers the redirect to the loopback callback. `tamper` may rewrite
 * the callback URL first.
 */
export async function playBrowser(authorizeUrl: string, tamper?: (url: URL) => void): Promise<BrowserVisit> {
  const authorize = await fetch(authorizeUrl, { redirect: "manual" });
  const location = authorize.headers.get("location");
  if (authorize.status !== 302 || !location) throw new Error(`authorize answered ${authorize.status} without a redirect`);
  const callbackUrl = new URL(location);
  tamper?.(callbackUrl);
  const callback = await fetch(callbackUrl);
  return { callbackUrl, status: callback.status, page: await callback.text() };
}

/** The authorize URL line the CLI printed on stderr, if any yet. */
function authorizeLine(stderr: string, emu: Emulator): string | undefined {
  return stderr.split("\n").find((line) => line.startsWith(`${emu.authUrl}/api/accounts/authorize?`));
}

export interface CliLogin extends CliResult {
  authorizeUrl?: string;
  visits: BrowserVisit[];
}

/**
 * `login --provider chatgpt --no-browser` as a child process; once the URL is printed,
 * `browse` (default: one plain visit) plays the browser.
 */
export async function cliLogin(
  emu: Emulator,
  env: Record<string, string>,
  extraArgs: string[] = [],
  browse: (url: string) => Promise<BrowserVisit[]> = async (url) => [await playBrowser(url)],
): Promise<CliLogin> {
  let authorizeUrl: string | undefined;
  let browsing: Promise<BrowserVisit[]> | undefined;
  const run = await runCli(["login", "--provider", "chatgpt", "--no-browser", "--port", "0", ...extraArgs], {
    env,
    inherit: false,
    onStderr: (stderr) => {
      authorizeUrl ??= authorizeLine(stderr, emu);
      if (authorizeUrl && !browsing) browsing = browse(authorizeUrl);
    },
  });
  return { ...run, authorizeUrl, visits: (await browsing) ?? [] };
}

export async function readProfile(home: string, profile = "default"): Promise<ProfileData> {
  const data = JSON.parse(await readFile(join(home, "credentials", `${profile}.json`), "utf8")) as ProfileData;
  for (const credential of Object.values(data.credentials)) {
    if (credential?.type !== "oauth") continue;
    for (const token of [credential.accessToken, credential.refreshToken, credential.idToken]) if (token) seenTokens.add(token);
  }
  return data;
}

export async function readCredential(home: string, profile = "default"): Promise<OAuthCredential> {
  const credential = (await readProfile(home, profile)).credentials.chatgpt;
  if (credential?.type !== "oauth") throw new Error("no chatgpt credential in the profile");
  return credential;
}

/** Requests the emulator recorded on a path prefix (e.g. "/v1/responses"). */
export function requestsTo(emu: Emulator, prefix: string): number {
  return emu.requests.filter((request) => request.path.startsWith(prefix)).length;
}

/** A sign-in done in-process through the library (faster than the CLI), for tests about what comes after. */
export async function signIn(emu: Emulator, home: string, profile = "default"): Promise<OAuthCredential> {
  const { credential } = await loginWithChatGpt({
    env: siwcEnv(emu, home),
    home,
    profile,
    ports: [0],
    present: async (url) => void (await playBrowser(url)),
  });
  return credential;
}
