import { ProviderError } from "../../errors.js";

/**
 * A `credential_store_error`, with the errno code of an fs failure appended. Only
 * fs errors go in `cause`: a JSON.parse error could quote file contents (tokens).
 */
export function storeError(message: string, cause?: unknown, hint?: string): ProviderError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new ProviderError("credential_store_error", typeof code === "string" ? `${message} (${code})` : message, {
    cause,
    hint,
  });
}
