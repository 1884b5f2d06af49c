export { CredentialStore, type CredentialStoreOptions, type ModifyOptions } from "./credential-store.js";
export { readOrCreateHostId, hostIdPath } from "./host-id.js";
export { withFileLock, DEFAULT_STALE_MS, DEFAULT_TIMEOUT_MS, type HeldLock, type LockOptions } from "./lock.js";
export { ensurePrivateDir, removeTempFiles, writeFileAtomic, type AtomicWriteOptions } from "./atomic-write.js";
