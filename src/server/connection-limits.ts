// How long a client may hold a connection without using it, and how many it may hold.
// Node closes a slow request (headers or body) by itself once told the timeouts, but
// never a socket that sends nothing at all: that one gets its own timer here. Past the
// connection cap, a client gets a 503 in OpenAI's error shape at once and is closed,
// rather than a connection that hangs (or a file descriptor we cannot spare).
import type { Server, ServerOptions as HttpServerOptions } from "node:http";
import type { Socket } from "node:net";
import { ServerError } from "../wire/server-error.js";
import { serverErrorAnswer } from "./errors.js";
import { answerAndClose, rawAnswer } from "./raw-answer.js";

export interface ConnectionLimits {
  /** Client connections open at once; the next one is answered 503 and closed. */
  maxConnections: number;
  /** A connection that sends no request for this long is closed: before its first request and between keep-alive requests. */
  idleConnectionMs: number;
  /** Request headers must be complete this long after the request starts (else 408). */
  headersTimeoutMs: number;
  /** The whole request, headers and body, must arrive within this (else 408). */
  requestTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 256,
  idleConnectionMs: 5_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
};

/** Refusals are reported at most this often, so a flood cannot flood the log too. */
const REFUSAL_REPORT_MS = 10_000;

/** node:http's own timeouts; it checks them every `connectionsCheckingInterval`. */
export function httpTimeouts(limits: ConnectionLimits): HttpServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleConnectionMs,
    // The default (30 s) would let a stalled request outlive its timeout by that much.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
}

function refusal(limit: number): Buffer {
  const error = new ServerError(503, `codex-provider already has ${limit} open connections (its --max-connections); retry shortly.`, "too_many_connections", {
    headers: { "x-should-retry": "true", "retry-after": "1" },
  });
  return rawAnswer(serverErrorAnswer(error));
}

export interface ConnectionGuard {
  /** False for a socket that was refused: requests parsed from it are not answered. */
  admitted(socket: Socket): boolean;
  /** The socket's request started: it is no longer idle. */
  requestStarted(socket: Socket): void;
}

/** Count, time out and cap the server's client connections; `warn` hears of refusals. */
export function guardConnections(server: Server, limits: ConnectionLimits, warn: (message: string) => void): ConnectionGuard {
  const refused = new WeakSet<Socket>();
  const answer = refusal(limits.maxConnections);
  let open = 0;
  let unreported = 0;
  let reportedAt = -Infinity;
  server.on("connection", (socket: Socket) => {
    if (open >= limits.maxConnections) {
      refused.add(socket);
      answerAndClose(socket, answer);
      unreported += 1;
      if (performance.now() - reportedAt >= REFUSAL_REPORT_MS) {
        warn(`refused ${unreported} connection(s) with a 503: ${limits.maxConnections} already open (raise --max-connections if these are real clients).`);
        unreported = 0;
        reportedAt = performance.now();
      }
      return;
    }
    open += 1;
    socket.once("close", () => (open -= 1));
    // Inactivity before the first request. node:http replaces it with keepAliveTimeout
    // after each response; requestStarted() lifts it while a request is being answered
    // (a long silent stream is the upstream's business, not an idle client).
    socket.setTimeout(limits.idleConnectionMs);
  });
  return {
    admitted: (socket) => !refused.has(socket),
    requestStarted: (socket) => socket.setTimeout(0),
  };
}
