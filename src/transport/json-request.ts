// Non-streaming JSON calls (model lists, usage) with the same auth, 401 handling,
// classification and retry rules as model streams.
import type { AuthSource } from "./auth-source.js";
import { ProviderError } from "../errors.js";
import { DEFAULT_MAX_EVENT_BYTES, readBoundedText, readErrorExcerpt } from "./body-text.js";
import { classifyHttpError } from "./classify.js";
import { send } from "./http.js";
import type { NoticeHandler } from "../notice.js";
import { RetryBudget, type Clock, type RetryPolicy } from "./retry.js";

export interface JsonRequestOptions {
  auth: AuthSource;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  timeoutMs?: number;
  /** Largest body accepted; default 16 MiB. Past it: `protocol_error`, at once. */
  maxBodyBytes?: number;
  onNotice?: NoticeHandler;
}

export async function getJson(url: string, options: JsonRequestOptions): Promise<{ body: unknown; headers: Record<string, string> }> {
  const budget = new RetryBudget(options.retry, options.clock, options.onNotice);
  let authRetried = false;
  for (;;) {
    try {
      const response = await send({
        url,
        method: "GET",
        headers: { accept: "application/json", ...options.headers, ...(await options.auth.headers(options.signal)) },
        signal: options.signal,
        headersTimeoutMs: options.timeoutMs ?? 30_000,
        idleTimeoutMs: options.timeoutMs ?? 30_000,
      });
      if (response.status >= 400) {
        const error = classifyHttpError(response.status, response.headers, await readErrorExcerpt(response));
        if (response.status === 401 && !authRetried) {
          authRetried = true;
          if (await options.auth.unauthorized(options.signal)) continue;
        }
        throw error;
      }
      const text = await readBoundedText(response, options.maxBodyBytes ?? DEFAULT_MAX_EVENT_BYTES, `The response from ${describeUrl(url)}`);
      try {
        return { body: JSON.parse(text), headers: response.headers };
      } catch {
        throw new ProviderError("protocol_error", `Expected JSON from ${describeUrl(url)}, got something else.`);
      }
    } catch (caught) {
      if (!(caught instanceof ProviderError)) throw caught;
      await budget.backoff(caught, options.signal);
    }
  }
}

/** Origin and path, without the query (it may carry parameters we do not want in messages). */
function describeUrl(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}
