// Public API. Keep this module light: heavy pieces (emulator, CLI, server) load lazily.
export { createProvider, BUILTIN_PROVIDERS, type CreateProviderOptions } from "./providers/registry.js";
export type { Provider } from "./providers/provider.js";
export { ResponseStream } from "./transport/response-stream.js";
export type { TransportOptions } from "./transport/response-stream.js";
export type { Notice, NoticeCode, NoticeHandler } from "./notice.js";
export type { RetryPolicy, Clock } from "./transport/retry.js";
export { ProviderError, ExitCode, exitCodeFor, isProviderError, type ErrorCode } from "./errors.js";
export { redact, registerSecret, fingerprint } from "./redact.js";
export type { AuthSource } from "./auth/source.js";
export type * from "./types.js";
export { VERSION } from "./version.js";
export { createServer, type LocalServer, type ServerOptions, type AccessLogEntry } from "./server/index.js";
