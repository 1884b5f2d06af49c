// AuthSource for a static secret kept in the store (API key, Codex access token):
// read once on first use, never refreshed.
import { ProviderError } from "../errors.js";
import { registerSecret } from "../redact.js";
import type { Credential } from "./credential.js";
import type { AuthSource } from "../transport/auth-source.js";
import type { CredentialStore } from "./store/index.js";

export class StoredSecretAuthSource<C extends Credential> implements AuthSource {
  private cached?: Record<string, string>;

  constructor(
    private readonly store: () => Promise<CredentialStore>,
    private readonly profile: string,
    private readonly providerId: string,
    private readonly type: C["type"],
    private readonly toHeaders: (credential: C) => Record<string, string>,
    private readonly missing: { message: string; hint: string },
    readonly description: string,
  ) {}

  async headers(): Promise<Record<string, string>> {
    if (this.cached) return this.cached;
    const data = await (await this.store()).read(this.profile);
    const credential = data.credentials[this.providerId];
    if (!credential || credential.type !== this.type) {
      throw new ProviderError("login_required", this.missing.message, { hint: this.missing.hint });
    }
    if (credential.type === "api-key") registerSecret(credential.key);
    if (credential.type === "access-token") registerSecret(credential.token);
    this.cached = this.toHeaders(credential as C);
    return this.cached;
  }

  /** Once read, the stored secret is used as is. */
  currentHeaders(): Record<string, string> | undefined {
    return this.cached;
  }

  async unauthorized(): Promise<boolean> {
    return false;
  }
}
