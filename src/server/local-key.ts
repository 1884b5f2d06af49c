// The local server's own API key: generated once per state directory, stored 0600,
// and the same for every `serve` so clients keep working across restarts.
import { randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ProviderError } from "../errors.js";
import { registerSecret } from "../redact.js";

const KEY_PREFIX = "cpk-";

export function localKeyPath(home: string): string {
  return join(home, "server-key");
}

async function readKey(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ProviderError("credential_store_error", `Could not read the local server key at ${path} (${(error as NodeJS.ErrnoException).code ?? "error"}).`);
  }
  const key = text.trim();
  if (!/^\S{16,}$/.test(key)) {
    throw new ProviderError("credential_store_error", `The local server key at ${path} is malformed.`, { hint: `Delete ${path} to generate a new key.` });
  }
  if (process.platform !== "win32" && ((await stat(path)).mode & 0o077) !== 0) {
    // Like ssh with a private key: a key others can read is no longer a secret.
    throw new ProviderError("credential_store_error", `The local server key at ${path} is readable by other users.`, { hint: `Run: chmod 600 ${path}` });
  }
  return key;
}

/** The key stored in `home`, created (under the store's file lock, so two servers agree) when missing. */
export async function loadOrCreateLocalKey(home: string): Promise<string> {
  const path = localKeyPath(home);
  let key = await readKey(path);
  if (key === undefined) {
    const { withFileLock, writeFileAtomic } = await import("../auth/store/index.js");
    key = await withFileLock(path, async () => {
      const existing = await readKey(path);
      if (existing !== undefined) return existing;
      const created = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
      await writeFileAtomic(path, `${created}\n`, { mode: 0o600 });
      return created;
    });
  }
  registerSecret(key);
  return key;
}
