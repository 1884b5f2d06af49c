// AuthSource: the only auth surface the transport sees. It turns a credential into
// request headers and gets one chance to repair things after a 401.
import { registerSecret } from "../redact.js";

export interface AuthSource {
  /** Headers to attach to the next request (refreshing first when needed). */
  headers(signal?: AbortSignal): Promise<Record<string, string>>;
  /**
   * Called once after a 401. Resolves true when the credential changed (re-read or
   * refreshed) and the request should be retried; false when retrying is pointless.
   */
  unauthorized(signal?: AbortSignal): Promise<boolean>;
  /** A short description for errors and `status`, never containing the secret. */
  readonly description: string;
}

/** A fixed bearer credential (API key, access token from env): nothing to refresh. */
export class StaticAuthSource implements AuthSource {
  private readonly fixed: Record<string, string>;

  constructor(
    token: string,
    readonly description: string,
    extraHeaders: Record<string, string> = {},
  ) {
    registerSecret(token);
    this.fixed = { authorization: `Bearer ${token}`, ...extraHeaders };
  }

  async headers(): Promise<Record<string, string>> {
    return this.fixed;
  }

  async unauthorized(): Promise<boolean> {
    return false;
  }
}
