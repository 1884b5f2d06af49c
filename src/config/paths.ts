// Where state lives. Every path derives from CODEX_PROVIDER_HOME so tests and
// users can point the whole tool at a scratch directory.
import { join } from "node:path";

export type Env = Record<string, string | undefined>;

/** node:os loads when a default path is first needed, not with `import("codex-provider")`. */
const homedir = () => process.getBuiltinModule("node:os").homedir();

export function stateHome(env: Env = process.env): string {
  return env.CODEX_PROVIDER_HOME || join(homedir(), ".codex-provider");
}

export function credentialsDir(home: string): string {
  return join(home, "credentials");
}

export function configFile(home: string): string {
  return join(home, "config.toml");
}

/** Codex CLI's home, for `auth.json` import/export. */
export function codexHome(env: Env = process.env): string {
  return env.CODEX_HOME || join(homedir(), ".codex");
}
