// A fixed bearer credential as an AuthSource (the interface: ../transport/auth-source.ts).
import { registerSecret } from "../redact.js";
import type { AuthSource } from "../transport/auth-source.js";

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

  currentHeaders(): Record<string, string> {
    return this.fixed;
  }

  async unauthorized(): Promise<boolean> {
    return false;
  }
}
