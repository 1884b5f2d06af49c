// Public shapes of the emulator, kept apart from the server so routes can use them
// without importing the entry point.
import type { AuthEmulator, AuthEmulatorOptions, EmulatedUser } from "./auth/index.js";
import type { FaultSpec } from "./faults.js";

export interface EmulatorOptions {
  /** Listening port; 0 (default) picks a free one. */
  port?: number;
  /** Listening address; default "127.0.0.1". */
  host?: string;
  /** Platform keys accepted on /v1 in addition to the generated `apiKey`. */
  apiKeys?: string[];
  /** The signed-in user the auth half issues tokens for. */
  user?: Partial<EmulatedUser>;
  /** Passed through to the auth half (token TTL, redirect ports, device-code settings). */
  auth?: Partial<AuthEmulatorOptions>;
  /** Delay before each text delta of a stream (default 0). */
  deltaDelayMs?: number;
  /** ChatGPT-plan requests allowed before usage-limit 429s (default Infinity); SIWC on /v1 and the backend. */
  usageBudget?: number;
  /** Length of the plan usage window, for resets_at / resets_in_seconds (default 8040). */
  usageResetSeconds?: number;
  /** Milliseconds added to every response's Date header (default 0); see `setClockSkew`. */
  clockSkewMs?: number;
  /** Receives one access-log line per request (method path status ms); never a token. */
  log?: (line: string) => void;
}

export interface RecordedRequest {
  id: number;
  method: string;
  /** Path with query string, as sent. */
  path: string;
  /** Lower-cased request headers. */
  headers: Record<string, string>;
  /** Parsed JSON body, the raw text when it is not JSON, undefined when empty or owned by the auth half. */
  body: unknown;
  /** SHA-256 (hex) of the body's bytes as received, after Content-Encoding: tells whether a proxy sent a client's bytes on unchanged. */
  sha256?: string;
  status?: number;
  completed: boolean;
  clientAborted: boolean;
}

export interface Emulator {
  url: string;
  apiUrl: string;
  authUrl: string;
  chatgptUrl: string;
  apiKey: string;
  auth: AuthEmulator;
  /** Requests in arrival order (admin calls excluded); the oldest are dropped past 10,000. */
  requests: RecordedRequest[];
  /** Queue an instance-level fault for the next `times` inference requests (default 1). */
  setFault(spec: FaultSpec): void;
  clearFaults(): void;
  /** Shift the Date header of later responses by `ms` (also POST /__emulator/clock {"skewMs": n}). */
  setClockSkew(ms: number): void;
  close(): Promise<void>;
}
