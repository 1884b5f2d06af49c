// AuthSource: the only auth surface the transport sees. It turns a credential into
// request headers and gets one chance to repair things after a 401. It is declared
// here, by its consumer; auth/ implements it (static, stored, OAuth, Codex sources).
export interface AuthSource {
  /** Headers to attach to the next request (refreshing first when needed). */
  headers(signal?: AbortSignal): Promise<Record<string, string>>;
  /**
   * The headers headers() would give, when they are at hand without I/O or a refresh
   * (a fixed key, a cached credential still fresh); undefined otherwise. Lets a call
   * skip an await, and the AbortSignal headers() takes.
   */
  currentHeaders?(): Record<string, string> | undefined;
  /**
   * Called once after a 401, with the headers the rejected request carried. Resolves
   * true when the credential changed (re-read, refreshed, or already rotated since that
   * request left) and the request should be retried; false when retrying is pointless.
   */
  unauthorized(signal?: AbortSignal, rejected?: Record<string, string>): Promise<boolean>;
  /** A short description for errors and `status`, never containing the secret. */
  readonly description: string;
}
