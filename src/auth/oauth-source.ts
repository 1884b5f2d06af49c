// AuthSource for OAuth credentials: proactive refresh before expiry (skew), one reactive refresh after a 401,
// single flight in-process, and the store's cross-process lock with a double-checked re-read so a token
// another process already rotated is adopted instead of refreshed again (docs/protocol.md#codex-refresh,
// docs/protocol.md#peer-weaknesses).
import { ProviderError } from "../errors.js";
import { registerSecret } from "../redact.js";
import type { OAuthCredential } from "./credential.js";
import type { AuthSource } from "../transport/auth-source.js";
import type { CredentialStore } from "./store/index.js";

type RefreshReason = "proactive_expiry" | "unauthorized_recovery";

export interface OAuthSourceOptions {
  store: CredentialStore;
  profile: string;
  /** Key of the credential in the profile (the provider id). */
  providerId: string;
  /** Calls the token endpoint; returns the fields to replace. Throws ProviderError. */
  refresh(credential: OAuthCredential): Promise<Partial<OAuthCredential>>;
  /** Header derivation for this provider (Authorization, account id, …). */
  headersFor(credential: OAuthCredential): Record<string, string>;
  /** Shown in errors: the exact command that signs in again. */
  loginCommand: string;
  /** Refresh this long before expiry. Default 5 minutes. */
  skewMs?: number;
  /** Without `exp`, refresh when the last refresh is older than this. Default 8 days (Codex). */
  maxAgeMs?: number;
  now?: () => number;
}

const DEFAULT_SKEW_MS = 5 * 60_000;
const DEFAULT_MAX_AGE_MS = 8 * 24 * 3600_000;

/** Resolves with `promise` but stops waiting (not the work) when the caller aborts. */
function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new ProviderError("aborted", "The request was aborted."));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ProviderError("aborted", "The request was aborted."));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export class OAuthAuthSource implements AuthSource {
  readonly description: string;
  private current?: OAuthCredential;
  private inflight?: Promise<OAuthCredential>;
  private readonly now: () => number;

  constructor(private readonly options: OAuthSourceOptions) {
    this.description = `${options.providerId} sign-in (profile ${options.profile})`;
    this.now = options.now ?? Date.now;
  }

  async headers(signal?: AbortSignal): Promise<Record<string, string>> {
    let credential = this.current ?? (await this.load());
    if (this.needsRefresh(credential)) {
      credential = await raceAbort(this.refreshShared("proactive_expiry", credential.accessToken), signal);
    }
    return this.options.headersFor(credential);
  }

  /** The loaded credential's headers while it needs no refresh; otherwise headers() loads or refreshes. */
  currentHeaders(): Record<string, string> | undefined {
    const credential = this.current;
    return credential && !this.needsRefresh(credential) ? this.options.headersFor(credential) : undefined;
  }

  async unauthorized(signal?: AbortSignal, rejected?: Record<string, string>): Promise<boolean> {
    const current = this.current;
    // A 401 for a token this source has already replaced (the request left before a
    // concurrent refresh finished) is answered by retrying, not by refreshing again.
    if (current && rejected && !this.derivedFrom(current, rejected)) return true;
    const used = current?.accessToken;
    await raceAbort(this.refreshShared("unauthorized_recovery", used), signal);
    return true;
  }

  /** The credential as last loaded or refreshed (for status displays). */
  async credential(): Promise<OAuthCredential> {
    return this.current ?? this.load();
  }

  /** Whether `sent` carries the headers this credential yields (extra headers aside). */
  private derivedFrom(credential: OAuthCredential, sent: Record<string, string>): boolean {
    return Object.entries(this.options.headersFor(credential)).every(([name, value]) => sent[name] === value);
  }

  private needsRefresh(credential: OAuthCredential): boolean {
    const skew = this.options.skewMs ?? DEFAULT_SKEW_MS;
    if (credential.expiresAt !== undefined) return credential.expiresAt - skew <= this.now();
    const last = Date.parse(credential.lastRefresh);
    return Number.isNaN(last) || this.now() - last > (this.options.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
  }

  private check(credential: unknown): OAuthCredential {
    const { providerId, profile, loginCommand } = this.options;
    if (!credential || (credential as OAuthCredential).type !== "oauth") {
      throw new ProviderError("login_required", `Not signed in to ${providerId} (profile ${profile}).`, { hint: `Sign in: ${loginCommand}` });
    }
    const oauth = credential as OAuthCredential;
    if (oauth.refreshFailure) {
      throw new ProviderError(
        oauth.refreshFailure.code === "refresh_token_reused" ? "refresh_token_reused" : "login_required",
        oauth.refreshFailure.message,
        { hint: `Sign in again: ${loginCommand}`, upstreamCode: oauth.refreshFailure.code },
      );
    }
    registerSecret(oauth.accessToken);
    registerSecret(oauth.refreshToken);
    registerSecret(oauth.idToken);
    return oauth;
  }

  private async load(): Promise<OAuthCredential> {
    const data = await this.options.store.read(this.options.profile);
    this.current = this.check(data.credentials[this.options.providerId]);
    return this.current;
  }

  /** One refresh at a time per source; every concurrent caller shares its outcome. */
  private refreshShared(reason: RefreshReason, usedAccessToken: string | undefined): Promise<OAuthCredential> {
    this.inflight ??= this.refreshLocked(reason, usedAccessToken).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async refreshLocked(reason: RefreshReason, usedAccessToken: string | undefined): Promise<OAuthCredential> {
    const { store, profile, providerId } = this.options;
    const refreshed = await store.modify(profile, async (data) => {
      const stored = this.check(data.credentials[providerId]);
      // Double-checked refresh: another process (or an earlier call) already rotated.
      const changed = stored.accessToken !== usedAccessToken;
      if (changed && (reason === "unauthorized_recovery" || !this.needsRefresh(stored))) return stored;
      try {
        const patch = await this.options.refresh(stored);
        const next: OAuthCredential = { ...stored, ...patch, lastRefresh: new Date(this.now()).toISOString() };
        delete next.refreshFailure;
        data.credentials[providerId] = next;
        return next;
      } catch (error) {
        if (error instanceof ProviderError && (error.code === "login_required" || error.code === "refresh_token_reused")) {
          // Remember the terminal failure in the file so every process fails fast
          // until the user signs in again; the tokens stay for diagnosis.
          data.credentials[providerId] = {
            ...stored,
            refreshFailure: { code: error.upstreamCode ?? error.code, message: error.message, at: new Date(this.now()).toISOString() },
          };
          return error;
        }
        throw error;
      }
    });
    if (refreshed instanceof ProviderError) throw refreshed;
    this.current = refreshed;
    return refreshed;
  }
}
