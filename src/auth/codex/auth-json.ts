// Codex CLI's `auth.json` (docs/protocol.md#codex-auth-file): read and validate one for import, and
// write our sign-in in its layout for export. Problems name fields, never values.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { codexHome, type Env } from "../../config/paths.js";
import { ProviderError } from "../../errors.js";
import { registerSecret } from "../../redact.js";
import type { AccessTokenCredential, OAuthCredential } from "../credential.js";
import { decodeJwtPayload } from "../oauth/jwt.js";
import { writeFileAtomic } from "../store/index.js";
import { CODEX_CLIENT_ID } from "./constants.js";
import { identityFromTokens } from "./tokens.js";

/** What a Codex auth.json holds that we can use; an access token is checked (whoami) by whoever stores it. */
export type CodexAuthFile =
  | { mode: "chatgpt"; credential: OAuthCredential }
  | { mode: "apikey"; apiKey: string }
  | { mode: "access-token"; token: string };

/** `$CODEX_HOME/auth.json`, else `~/.codex/auth.json`. */
export function defaultCodexAuthPath(env: Env): string {
  return join(codexHome(env), "auth.json");
}

function invalid(path: string, problem: string): ProviderError {
  return new ProviderError("config_error", `${path} is not a usable Codex auth.json: ${problem}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Codex's name for an access-token (`at-…`) login. */
const PAT_MODE = "personalAccessToken";

/**
 * docs/protocol.md#codex-auth-file: explicit `auth_mode`, else inferred from which fields
 * are present (Codex writes an access-token login without one, on purpose).
 */
function authMode(file: Record<string, unknown>): string {
  if (typeof file.auth_mode === "string") return file.auth_mode;
  if (file.personal_access_token !== undefined) return PAT_MODE;
  if (Object.keys(file).some((key) => key.startsWith("bedrock_"))) return "bedrock";
  if (typeof file.OPENAI_API_KEY === "string" && file.OPENAI_API_KEY !== "") return "apikey";
  return "chatgpt";
}

function requiredToken(tokens: Record<string, unknown>, field: string, path: string): string {
  const value = tokens[field];
  if (typeof value !== "string" || value === "") throw invalid(path, `tokens.${field} is missing`);
  registerSecret(value);
  return value;
}

export async function readCodexAuthFile(path: string, issuer: string): Promise<CodexAuthFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ProviderError("config_error", `No Codex auth.json at ${path}.`, {
        hint:
          "Sign in with Codex first (codex login), or pass the file: --import-codex PATH. " +
          "If Codex keeps its login in the OS keyring, set cli_auth_credentials_store = \"file\" in its config.toml and sign in again.",
      });
    }
    throw new ProviderError("config_error", `Could not read ${path}: ${(error as NodeJS.ErrnoException).code ?? "read error"}.`);
  }
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    // The parser's message can quote the file, i.e. tokens: report no detail.
    throw invalid(path, "it is not valid JSON");
  }
  if (!isObject(file)) throw invalid(path, "it is not a JSON object");

  const mode = authMode(file);
  if (mode === "apikey") {
    if (typeof file.OPENAI_API_KEY !== "string" || file.OPENAI_API_KEY === "") throw invalid(path, "OPENAI_API_KEY is missing");
    registerSecret(file.OPENAI_API_KEY);
    return { mode: "apikey", apiKey: file.OPENAI_API_KEY };
  }
  if (mode === PAT_MODE) {
    const token = file.personal_access_token;
    if (typeof token !== "string" || token.trim() === "") throw invalid(path, "personal_access_token is missing");
    registerSecret(token.trim());
    return { mode: "access-token", token: token.trim() };
  }
  if (mode !== "chatgpt") {
    const named = typeof file.auth_mode === "string" ? `auth_mode "${mode}"` : `a "${mode}" login (no auth_mode; read from its fields)`;
    throw invalid(path, `it holds ${named}, and only ChatGPT sign-ins, API keys and access tokens can be imported`);
  }
  if (!isObject(file.tokens)) throw invalid(path, "it has no tokens object (is Codex signed in?)");
  const tokens = file.tokens;
  const idToken = requiredToken(tokens, "id_token", path);
  const accessToken = requiredToken(tokens, "access_token", path);
  const refreshToken = requiredToken(tokens, "refresh_token", path);
  // Codex parses the ID token on load; a file it would reject is not worth importing.
  if (!decodeJwtPayload(idToken)) throw invalid(path, "tokens.id_token is not a JWT");
  // The file's account id wins: it is what Codex itself sends.
  const accountId = typeof tokens.account_id === "string" && tokens.account_id !== "" ? { accountId: tokens.account_id } : {};
  // Kept verbatim so an export writes back exactly what was read.
  const lastRefresh = typeof file.last_refresh === "string" && !Number.isNaN(Date.parse(file.last_refresh)) ? file.last_refresh : new Date().toISOString();
  return {
    mode: "chatgpt",
    credential: {
      type: "oauth",
      accessToken,
      refreshToken,
      idToken,
      clientId: CODEX_CLIENT_ID,
      issuer,
      ...identityFromTokens({ accessToken, idToken }),
      ...accountId,
      lastRefresh,
    },
  };
}

/**
 * Our sign-in in Codex's layout and key order. Codex 0.169.0 sends no Authorization
 * at all when `refresh_token` or `last_refresh` is missing, so all are always written.
 */
function codexAuthJson(credential: OAuthCredential): string {
  if (!credential.idToken) {
    throw new ProviderError("config_error", "This sign-in has no ID token, which Codex requires.", {
      hint: "Sign in again with: codex-provider login --provider chatgpt-codex",
    });
  }
  const file = {
    auth_mode: "chatgpt",
    OPENAI_API_KEY: null,
    tokens: {
      id_token: credential.idToken,
      access_token: credential.accessToken,
      refresh_token: credential.refreshToken,
      account_id: credential.accountId ?? null,
    },
    last_refresh: credential.lastRefresh,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * An access token byte for byte as Codex's own `codex login --with-access-token` writes it
 * (observed, Codex CLI 0.169.0 and 0.171.0): no `auth_mode`, which older Codex builds could not read,
 * and no final newline.
 */
function codexAccessTokenJson(credential: AccessTokenCredential): string {
  return JSON.stringify({ OPENAI_API_KEY: null, personal_access_token: credential.token }, null, 2);
}

/** Atomic (temp + fsync + rename) and 0600, unlike Codex's own writes. */
export async function writeCodexAuthFile(path: string, credential: OAuthCredential | AccessTokenCredential): Promise<void> {
  const text = credential.type === "access-token" ? codexAccessTokenJson(credential) : codexAuthJson(credential);
  await writeFileAtomic(path, text, { mode: 0o600 });
}
