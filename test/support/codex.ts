// Shared plumbing for the chatgpt-codex tests: scratch homes, free ports, the real CLI
// as a child process, and a scripted "browser" that follows the authorize redirect.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { browserLogin } from "#src/auth/codex/browser-login.js";
import { codexAuthEndpoints } from "#src/auth/codex/constants.js";
import type { OAuthCredential } from "#src/auth/credential.js";
import { CredentialStore } from "#src/auth/store/index.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "#src/emulator/index.js";



/** `count` ports that were free a moment ago (the emulator registers them as the Codex redirect ports). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      servers.push(server);
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Hold a port on 127.0.0.1 the way another app would. */
export async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

export async function withCodexEmulator(
  options: EmulatorOptions,
  fn: (emu: Emulator, ports: number[]) => Promise<void>,
): Promise<void> {
  const ports = await freePorts(2);
  const emu = await startEmulator({ ...options, auth: { codexRedirectPorts: ports, ...options.auth } });
  try {
    await fn(emu, ports);
  } finally {
    await emu.close();
  }
}

/** The environment a CLI child sees: nothing inherited but PATH, everything pointed at the emulator. */
export function cliEnv(emu: Emulator, home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: home,
    CODEX_PROVIDER_HOME: home,
    CODEX_PROVIDER_AUTH_URL: emu.authUrl,
    CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl,
    CODEX_PROVIDER_NO_BROWSER: "1",
    NO_COLOR: "1",
    ...extra,
  };
}

export const AUTHORIZE_URL = /https?:\/\/\S+\/oauth\/authorize\?\S+/;

/**
 * Be the browser: open the authorize URL (the emulator signs the user in at once and
 * redirects) and follow the redirect to the loopback listener. The listener binds
 * IPv4 only, as Codex's does; a real browser retries `localhost` on 127.0.0.1 when
 * ::1 refuses, so the test goes there directly.
 */
export async function playBrowser(authorizeUrl: string): Promise<Response> {
  const authorize = await fetch(authorizeUrl, { redirect: "manual" });
  assert.equal(authorize.status, 302, "the authorize endpoint redirects back");
  const location = authorize.headers.get("location")!;
  assert.match(location, /^http:\/\/localhost:\d+\/auth\/callback\?/);
  return fetch(location.replace("//localhost:", "//127.0.0.1:"));
}

/** An in-process browser login (the library writes nothing) and the authorize URL it presents. */
export function startBrowserLogin(emu: Emulator, ports: number[]): { url: Promise<string>; login: Promise<OAuthCredential> } {
  let presented!: (url: string) => void;
  const url = new Promise<string>((resolve) => (presented = resolve));
  const login = browserLogin({ endpoints: codexAuthEndpoints({ CODEX_PROVIDER_AUTH_URL: emu.authUrl }), ports, present: presented });
  login.catch(() => undefined);
  return { url, login };
}

/** A sign-in done in-process through the real browser flow, then stored like `login` does. */
export async function signIn(emu: Emulator, home: string, ports: number[], profile = "default"): Promise<OAuthCredential> {
  const { url, login } = startBrowserLogin(emu, ports);
  const page = await playBrowser(await url);
  assert.equal(page.status, 200);
  const credential = await login;
  await new CredentialStore({ home }).modify(profile, (data) => {
    data.credentials["chatgpt-codex"] = credential;
  });
  return credential;
}

/** Fails when any of `secrets` appears in `text` (the check every CLI test makes on captured output). */
export function assertNoSecrets(text: string, secrets: Array<string | undefined>): void {
  for (const secret of secrets) {
    if (secret) assert.ok(!text.includes(secret), "a token value appeared in captured output");
  }
}

export async function storedCodexCredential(home: string, profile = "default") {
  return (await new CredentialStore({ home }).read(profile)).credentials["chatgpt-codex"];
}
