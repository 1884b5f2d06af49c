export { CredentialStore } from "./credential-store.js";
export { readOrCreateHostId, hostIdPath } from "./host-id.js";
export { withFileLock, DEFAULT_TIMEOUT_MS } from "./lock.js";
export { renameDurable, tempFileTarget, writeFileAtomic } from "./atomic-write.js";
