// Opens the system browser at a URL (RFC 8252: the system browser, not a web view).
// Always spawns an argv array, never a shell string, so a URL can't inject commands.
import { spawn } from "node:child_process";
import type { Env } from "../../config/paths.js";
import { parseBoolean } from "../../config/settings.js";

function opener(url: string, env: Env): [string, string[]] | undefined {
  const browser = env.BROWSER?.trim();
  if (browser) return browser === "none" ? undefined : [browser, [url]];
  switch (process.platform) {
    case "darwin":
      return ["open", [url]];
    case "win32":
      // Not `start`: that is a cmd.exe builtin and would need a shell.
      return ["rundll32", ["url.dll,FileProtocolHandler", url]];
    default:
      return ["xdg-open", [url]];
  }
}

/**
 * Best effort: resolves true when an opener was started, false when disabled
 * (`CODEX_PROVIDER_NO_BROWSER` true — `1`, `true`, `yes`, `on` — or `BROWSER=none`) or it could not be spawned.
 * Never throws — the caller always prints the URL as well.
 */
export function openBrowser(url: string, env: Env = process.env): Promise<boolean> {
  if (parseBoolean(env.CODEX_PROVIDER_NO_BROWSER ?? "") === true) return Promise.resolve(false);
  const command = opener(url, env);
  if (!command) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      const child = spawn(command[0], command[1], { stdio: "ignore", detached: true });
      child.once("error", () => resolve(false));
      child.once("spawn", () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
