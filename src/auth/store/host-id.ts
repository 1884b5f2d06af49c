// The persistent, opaque host id sent as SIWC `ext_agent_host_id` (docs/protocol.md#siwc-registration).
// It must exist before the first sign-in and stay the same afterwards.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { removeTempFiles, writeFileAtomic } from "./atomic-write.js";
import { withFileLock, type LockOptions } from "./lock.js";
import { storeError } from "./store-error.js";

// Opaque, but one of the URI forms docs/protocol.md#siwc-registration allows (urn:uuid, urn:ietf:…, did:key).
const HOST_ID = /^(?:urn|did):[\x21-\x7e]{1,500}$/;

export function hostIdPath(home: string): string {
  return join(home, "host-id");
}

/** The host id in `<home>/host-id`, created (under the lock, so only once) if missing. */
export async function readOrCreateHostId(home: string, lockOptions?: LockOptions): Promise<string> {
  const file = hostIdPath(home);
  const existing = await readHostId(file);
  if (existing) return existing;
  return withFileLock(
    file,
    async ({ signal }) => {
      // Another process may have created it while we waited for the lock.
      const created = await readHostId(file);
      if (created) return created;
      await removeTempFiles(file);
      const id = `urn:uuid:${randomUUID()}`;
      signal.throwIfAborted();
      await writeFileAtomic(file, `${id}\n`);
      return id;
    },
    lockOptions,
  );
}

async function readHostId(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw storeError(`could not read ${file}`, error);
  }
  const id = text.trim();
  if (!HOST_ID.test(id)) {
    // Not silently replaced: a new id makes this machine a new host to ChatGPT.
    throw storeError(
      `${file} does not hold a host id (expected urn:uuid:…); delete it to generate a new one`,
    );
  }
  return id;
}
