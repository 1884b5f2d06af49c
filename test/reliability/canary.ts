// Canary: a known secret in every credential slot of the store, the CLI run through
// its commands against the emulator (which rejects them, so error paths run too),
// then every output, log and file outside the store searched for any of the secrets.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CredentialStore } from "#src/auth/store/index.js";
import { startEmulator } from "#src/emulator/index.js";
import { runCli } from "../support/cli.js";
import { post } from "./load-client.js";
import { startServe } from "./serve-process.js";

export interface CanaryFigures {
  secrets: number;
  commands: number;
  outputBytes: number;
  filesScanned: number;
  leaks: string[];
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT-shaped token (so parsers take the JWT path) whose signature is the canary. */
function canaryJwt(claims: Record<string, unknown>): string {
  return `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.canary${randomBytes(24).toString("base64url")}`;
}

const COMMANDS: string[][] = [
  ["status"],
  ["status", "--json", "--verbose"],
  ["ask", "--provider", "openai", "--verbose", "hi"],
  ["ask", "--provider", "chatgpt", "--json", "hi"],
  ["ask", "--provider", "chatgpt-codex", "--verbose", "hi"],
  ["models", "--provider", "openai"],
  ["usage", "--provider", "chatgpt-codex"],
  ["config", "show", "--json"],
];

async function filesUnder(dir: string, skip: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  return names.map((entry) => join(entry.parentPath, entry.name)).filter((file) => !file.startsWith(`${skip}/`));
}

export async function canaryScenario(options: { quick?: boolean } = {}): Promise<CanaryFigures> {
  const emu = await startEmulator();
  const root = await mkdtemp(join(tmpdir(), "cp-stress-canary-"));
  const home = join(root, "home");
  const scratch = join(root, "tmp");
  await mkdir(scratch, { recursive: true });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const secrets = {
    apiKey: `sk-proj-canary${randomBytes(24).toString("hex")}`,
    accessToken: canaryJwt({ exp, sub: "canary-user" }),
    refreshToken: `rt_canary${randomBytes(24).toString("hex")}`,
    idToken: canaryJwt({ exp, email: "canary@example.com" }),
    codexToken: canaryJwt({ exp, "https://api.openai.com/auth": { chatgpt_plan_type: "enterprise" } }),
  };
  const now = new Date().toISOString();
  await new CredentialStore({ home }).modify("default", (data) => {
    data.credentials.openai = { type: "api-key", key: secrets.apiKey, savedAt: now };
    data.credentials.chatgpt = {
      type: "oauth",
      accessToken: secrets.accessToken,
      refreshToken: secrets.refreshToken,
      idToken: secrets.idToken,
      expiresAt: exp * 1000,
      clientId: "app_canary",
      lastRefresh: now,
    };
    data.credentials["chatgpt-codex"] = { type: "access-token", token: secrets.codexToken, savedAt: now, expiresAt: exp * 1000 };
  });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: root,
    TMPDIR: scratch,
    CODEX_HOME: join(root, "codex"),
    CODEX_PROVIDER_HOME: home,
    CODEX_PROVIDER_API_URL: emu.apiUrl,
    CODEX_PROVIDER_AUTH_URL: emu.authUrl,
    CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl,
    CODEX_PROVIDER_MAX_RETRIES: "0",
    NO_COLOR: "1",
  };
  const outputs: string[] = [];
  try {
    const commands = options.quick ? COMMANDS.slice(0, 4) : COMMANDS;
    for (const args of commands) {
      const run = await runCli(args, { env });
      outputs.push(run.stdout, run.stderr);
    }
    // The server: its banner, its access log (with bodies), and what its clients get.
    const serve = await startServe(env);
    try {
      for (const provider of ["openai", "chatgpt"]) {
        const reply = await post(`${serve.baseUrl}/responses`, serve.key, { model: provider === "openai" ? "gpt-5.5" : "gpt-5", input: "hi" });
        outputs.push(reply.body);
      }
    } finally {
      await serve.stop();
      outputs.push(serve.output().stdout, serve.output().stderr);
    }
    const files = await filesUnder(root, join(home, "credentials"));
    const texts = await Promise.all(files.map(async (file) => ({ where: relative(root, file), text: await readFile(file, "latin1") })));
    // The search finds every planted secret where it belongs: in the store.
    const stored = await readFile(join(home, "credentials", "default.json"), "latin1");
    for (const [slot, secret] of Object.entries(secrets)) assert.ok(stored.includes(secret), `${slot} was planted`);
    const leaks: string[] = [];
    for (const [slot, secret] of Object.entries(secrets)) {
      outputs.forEach((text, i) => text.includes(secret) && leaks.push(`${slot} in output ${i}`));
      for (const { where, text } of texts) if (text.includes(secret)) leaks.push(`${slot} in ${where}`);
    }
    const figures: CanaryFigures = {
      secrets: Object.keys(secrets).length,
      commands: commands.length + 1,
      outputBytes: outputs.reduce((sum, text) => sum + text.length, 0),
      filesScanned: files.length,
      leaks,
    };
    assert.deepEqual(leaks, [], "no secret appears outside the store");
    return figures;
  } finally {
    await emu.close();
    await rm(root, { recursive: true, force: true });
  }
}
