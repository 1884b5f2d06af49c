export { CredentialStore } from "./credential-store.js";
export { readOrCreateHostId, hostIdPath } from "./host-id.js";
export { describeLockHolder, holdFileLock, withFileLock, DEFAULT_TIMEOUT_MS, type LongHeldLock } from "./lock.js";
export { renameDurable, syncDirectory, tempFileTarget, writeFileAtomic } from "./atomic-write.js";
