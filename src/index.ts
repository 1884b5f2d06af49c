// Public API. Keep this module light: heavy pieces (emulator, CLI, server) load lazily.
export { createProvider, type CreateProviderOptions } from "./providers/registry.js";
export { BUILTIN_PROVIDERS } from "./config/providers.js";
export type { Provider } from "./providers/provider.js";
export type { CodexProvider } from "./providers/chatgpt-codex.js";
export type { CodexUsageReport } from "./providers/chatgpt-codex-usage.js";
export { ResponseStream } from "./transport/response-stream.js";
export type { CallOptions, TransportOptions } from "./transport/response-stream.js";
export type { HttpClientChoice } from "./transport/http.js";
export type { Notice, NoticeCode, NoticeHandler } from "./notice.js";
export type { RetryPolicy, Clock } from "./transport/retry.js";
export { configureProxy, type ProxyOptions } from "./transport/proxy.js";
export { ProviderError, isProviderError, type ErrorCode } from "./errors.js";
export { ExitCode, exitCodeFor } from "./cli/exit-codes.js";
export { redact, registerSecret, fingerprint } from "./redact.js";
export type { AuthSource } from "./transport/auth-source.js";
export type * from "./types.js";
export { VERSION } from "./version.js";
export { createServer, type LocalServer, type ServerOptions, type AccessLogEntry } from "./server/index.js";
