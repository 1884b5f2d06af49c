// The error an OpenAI-compatible endpoint answers with: an HTTP status and the fields of
// OpenAI's error envelope. It lives with the dialects because the request translations
// (chat-to-request, responses-to-request) raise it and wire/ must not import server/;
// server/errors.ts renders it.
/** An error the server itself raises (bad route, bad key, bad body). */
export class ServerError extends Error {
  override readonly name = "ServerError";
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly options: { param?: string; type?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}
