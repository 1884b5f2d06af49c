// Errors for Anthropic clients (docs/protocol.md#anthropic-messages): the same status
// and message as every other route, in Anthropic's envelope
// `{"type":"error","error":{"type","message"},"request_id"}`. The Anthropic SDKs pick
// their error class by status and read `error.type`; the message keeps our wording,
// so a usage limit's 429 still says when the limit resets.
import type { ErrorAnswer } from "./errors.js";

type Json = Record<string, unknown>;

/** Anthropic's error type for an HTTP status. */
function errorType(status: number): string {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
      return "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/** The `error` object of an answer, as an Anthropic error event or body carries it. */
export function anthropicError(answer: ErrorAnswer): Json {
  return { type: errorType(answer.status), message: String(answer.body.error.message) };
}

export function anthropicErrorAnswer(answer: ErrorAnswer, requestId: string): { status: number; headers: Record<string, string>; body: Json } {
  return { status: answer.status, headers: answer.headers, body: { type: "error", error: anthropicError(answer), request_id: requestId } };
}
