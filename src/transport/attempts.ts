// One call's attempts, the same for model streams, JSON calls and token revocation:
// auth headers for each attempt, one repair-and-retry after a 401, classification of
// HTTP failures, and backoff for what is retryable, within the retry budget. Callers
// keep only what is theirs: sending, and reading a successful answer.
import { ProviderError } from "../errors.js";
import type { AuthSource } from "./auth-source.js";
import { abortSignalOf, type CancelSignal } from "./call-cancel.js";
import { classifyHttpError, type ClassifyContext } from "./classify.js";
import type { NoticeHandler } from "../notice.js";
import { DEFAULT_RETRY_POLICY, nextDelay, systemClock, type Clock, type RetryPolicy } from "./retry.js";

export interface AttemptOptions {
  /** Absent for calls that carry no credential (token revocation). */
  auth?: AuthSource;
  signal?: CancelSignal;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Told of each retry before its wait (a `retry` notice). */
  onNotice?: NoticeHandler;
  /** False once a retry would repeat what the caller already has (stream content). */
  canRetry?(): boolean;
}

export class Attempts {
  private retries = 0;
  private authRepaired = false;
  /** What the last attempt was sent with, so a 401 names the credential it refused. */
  private sentAuth?: Record<string, string>;
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private readonly startedAt: number;

  constructor(private readonly options: AttemptOptions = {}) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.startedAt = this.clock.now();
  }

  /**
   * Headers for the next attempt when the AuthSource has them at hand (currentHeaders):
   * no await, and no AbortSignal made for it. Undefined means: call authHeaders().
   */
  readyAuthHeaders(): Record<string, string> | undefined {
    const ready = this.options.auth ? this.options.auth.currentHeaders?.() : {};
    if (ready) this.sentAuth = ready;
    return ready;
  }

  /** Headers for the next attempt (the AuthSource refreshes first when needed). */
  async authHeaders(): Promise<Record<string, string>> {
    this.sentAuth = this.options.auth ? await this.options.auth.headers(abortSignalOf(this.options.signal)) : {};
    return this.sentAuth;
  }

  /**
   * An HTTP failure: throws it classified, except that the first 401 lets the AuthSource
   * repair the credential (re-read or refresh) and resolves when the request should be
   * sent again at once.
   */
  async rejected(status: number, headers: Record<string, string>, body: string, context?: Omit<ClassifyContext, "headers">): Promise<void> {
    const error = classifyHttpError(status, headers, body, context);
    if (status === 401 && !this.authRepaired && this.options.auth) {
      this.authRepaired = true;
      if (await this.options.auth.unauthorized(abortSignalOf(this.options.signal), this.sentAuth)) return;
    }
    throw error;
  }

  /** After a failed attempt: waits before the next one, or throws when there must be none. */
  async failed(error: unknown): Promise<void> {
    if (!(error instanceof ProviderError)) throw error;
    const { signal } = this.options;
    if (signal?.aborted) throw error.code === "aborted" ? error : new ProviderError("aborted", "The request was aborted.");
    if (this.options.canRetry?.() === false) throw error;
    const delay = nextDelay(this.policy, this.retries, this.startedAt, error, this.clock);
    if (delay === undefined) throw error;
    this.retries += 1;
    const wait = delay < 1000 ? "<1 s" : `${Math.round(delay / 1000)} s`;
    this.options.onNotice?.({ code: "retry", message: `${error.message} — retry ${this.retries} in ${wait}`, retry: this.retries, delayMs: delay, error });
    await this.clock.sleep(delay, abortSignalOf(signal));
  }
}
