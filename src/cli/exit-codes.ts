// The CLI's exit codes: which ProviderError codes end a command with which status.
// The library reports codes; turning them into a process status is the CLI's job.
import { ProviderError } from "../errors.js";

/** CLI exit codes; stable and documented in the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  limit: 4,
  network: 5,
  /** The model refused to answer (`ask`): the tool worked, but there is no answer to use. */
  refused: 6,
  /** Ctrl-C: 128 + SIGINT, as shells report an interrupted command. */
  interrupted: 130,
} as const;

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof ProviderError)) return ExitCode.failure;
  switch (error.code) {
    case "config_error":
    case "unsupported_parameter":
    // The proxy refused us (407 credentials, 403 policy): fixed in the proxy settings, not by retrying.
    case "proxy_error":
    case "model_not_found":
      return ExitCode.usage;
    case "login_required":
    case "refresh_token_reused":
    case "invalid_credentials":
      return ExitCode.auth;
    case "usage_limit_reached":
    case "usage_not_included":
    case "insufficient_quota":
      return ExitCode.limit;
    case "network_error":
    case "server_error":
    case "server_overloaded":
    case "rate_limited":
    case "stream_truncated":
    case "idle_timeout":
    // A malformed or oversized answer is the server's failure, as a truncated stream is.
    case "protocol_error":
      return ExitCode.network;
    default:
      return ExitCode.failure;
  }
}
