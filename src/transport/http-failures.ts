// The errors both HTTP clients (node-http.ts, undici-http.ts) report, so a caller sees
// the same codes and messages whichever client carried the request.
import { messageOf, ProviderError } from "../errors.js";

export function abortedError(): ProviderError {
  return new ProviderError("aborted", "The request was aborted.");
}

export function networkError(error: unknown, url: URL): ProviderError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const detail = code ?? messageOf(error);
  const hint =
    code === "ECONNREFUSED"
      ? `Nothing is listening at ${url.origin}. Check the base URL and port.`
      : undefined;
  return new ProviderError("network_error", `Could not reach ${url.origin}: ${detail}`, {
    retryable: true,
    cause: error,
    hint,
  });
}

export function headersTimeoutError(url: URL, ms: number): ProviderError {
  return new ProviderError("network_error", `No response headers from ${url.origin} within ${formatSeconds(ms)}`, { retryable: true });
}

export function idleTimeoutError(url: URL, ms: number): ProviderError {
  return new ProviderError("idle_timeout", `No data from ${url.origin} for ${formatSeconds(ms)}; the stream stalled.`, { retryable: true });
}

export function closedMidResponseError(url: URL, cause?: unknown): ProviderError {
  return new ProviderError("network_error", `Connection to ${url.origin} closed mid-response`, { retryable: true, cause });
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** Header values joined the way fetch's Headers joins repeated ones. */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  // for…in rather than Object.entries: no array of pairs per response.
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
