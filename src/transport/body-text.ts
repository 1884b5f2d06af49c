// Reading a whole response body as text, bounded: a broken or hostile upstream can send
// a body of any size, and `Buffer.concat` of all of it would hold it twice in memory.
import { ProviderError } from "../errors.js";
import type { HttpResponse } from "./http.js";

/** Default bound on one SSE line or event, and on a JSON response body (16 MiB). */
export const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;

/** What is kept of an error body: enough for any real error JSON, and the excerpt shown. */
const ERROR_EXCERPT_BYTES = 32 * 1024;

/**
 * The body as UTF-8 text. Past `maxBytes` the read stops at once and fails with
 * `protocol_error` naming `what` (the response is released, not drained).
 */
export async function readBoundedText(response: HttpResponse, maxBytes: number, what: string): Promise<string> {
  const { text, complete } = await readPrefix(response, maxBytes);
  if (!complete) {
    throw new ProviderError("protocol_error", `${what} is larger than ${formatBytes(maxBytes)}; refusing to buffer it.`, {
      status: response.status,
    });
  }
  return text;
}

/** At most the first `maxBytes` of an error body: classification needs a short excerpt, never all of it. */
export async function readErrorExcerpt(response: HttpResponse, maxBytes = ERROR_EXCERPT_BYTES): Promise<string> {
  return (await readPrefix(response, maxBytes)).text;
}

async function readPrefix(response: HttpResponse, maxBytes: number): Promise<{ text: string; complete: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    if (size + chunk.length > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - size));
      // The rest could be endless: release the connection instead of draining it.
      response.destroy();
      return { text: Buffer.concat(chunks).toString("utf8"), complete: false };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks, size).toString("utf8"), complete: true };
}

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1) return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} bytes`;
}
