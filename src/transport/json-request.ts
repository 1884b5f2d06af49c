// Non-streaming JSON calls (model lists, usage), through the same attempt loop as model
// streams (attempts.ts).
import type { AuthSource } from "./auth-source.js";
import { ProviderError } from "../errors.js";
import { Attempts } from "./attempts.js";
import { DEFAULT_MAX_EVENT_BYTES, readBoundedText, readErrorExcerpt } from "./body-text.js";
import { send } from "./http.js";
import type { NoticeHandler } from "../notice.js";
import type { Clock, RetryPolicy } from "./retry.js";

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
  const attempts = new Attempts({ auth: options.auth, signal: options.signal, retry: options.retry, clock: options.clock, onNotice: options.onNotice });
  for (;;) {
    try {
      const response = await send({
        url,
        method: "GET",
        headers: { accept: "application/json", ...options.headers, ...(await attempts.authHeaders()) },
        signal: options.signal,
        headersTimeoutMs: options.timeoutMs ?? 30_000,
        idleTimeoutMs: options.timeoutMs ?? 30_000,
      });
      if (response.status >= 400) {
        await attempts.rejected(response.status, response.headers, await readErrorExcerpt(response));
        continue;
      }
      const text = await readBoundedText(response, options.maxBodyBytes ?? DEFAULT_MAX_EVENT_BYTES, `The response from ${describeUrl(url)}`);
      try {
        return { body: JSON.parse(text), headers: response.headers };
      } catch {
        throw new ProviderError("protocol_error", `Expected JSON from ${describeUrl(url)}, got something else.`);
      }
    } catch (caught) {
      await attempts.failed(caught);
    }
  }
}

/** Origin and path, without the query (it may carry parameters we do not want in messages). */
function describeUrl(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}
