// Requests node:http gives up on before or while the request handler runs: one it
// cannot parse (a garbage request line, a bad chunk size, headers past its 16 KB
// limit) or one that runs out of time (headersTimeout, requestTimeout). Left to
// node:http each gets a bare status line with no body; here each gets OpenAI's error
// envelope like every other refusal, one escaped access-log line, and the socket is
// closed. A connection that merely fails (a reset) is no request: it is just closed.
import type { Server } from "node:http";
import type { Answer } from "./answer.js";
import type { Socket } from "node:net";
import { ServerError } from "../wire/server-error.js";
import { RequestRecord, type AccessLogEntry } from "./access-log.js";
import { serverErrorAnswer } from "./errors.js";
import { answerAndClose, rawAnswer } from "./raw-answer.js";
import { newRequestId } from "./request-handler.js";
import { sendJson } from "./route-context.js";

/** llhttp's error codes are fixed identifiers; anything else is not echoed. */
const PARSE_ERROR_CODE = /^HPE_[A-Z_]{1,40}$/;

/** The answer to an error node:http reports, or undefined when the connection just failed. */
function clientFailure(error: NodeJS.ErrnoException): ServerError | undefined {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return new ServerError(431, "Request headers are too large.", "request_headers_too_large");
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new ServerError(413, "Chunk extensions in the request body are too large.", "request_too_large");
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new ServerError(408, "The request did not arrive in time.", "request_timeout");
    case "HPE_INVALID_EOF_STATE":
      // The client closed mid-request: nobody is left to read an answer, and the
      // request's own handler logs it as client-aborted (499).
      return undefined;
  }
  if (error.code === undefined || !PARSE_ERROR_CODE.test(error.code)) return undefined;
  return new ServerError(400, `Malformed HTTP request (${error.code}).`, "malformed_request");
}

interface ClientErrors {
  /** `res` is the response being written on its socket until it closes. */
  track(res: Answer): void;
}

export function answerClientErrors(server: Server, onLog?: (entry: AccessLogEntry) => void): ClientErrors {
  const answering = new WeakMap<Socket, Answer>();
  // The parser stays failed: more input on the socket would report the error again.
  const answered = new WeakSet<Socket>();
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    const failure = clientFailure(error);
    if (!failure || !socket.writable || answered.has(socket)) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const answer = serverErrorAnswer(failure);
    const res = answering.get(socket);
    // A response that has finished belongs to an earlier request on this keep-alive socket.
    if (res && !res.writableFinished && !res.destroyed) {
      // A request was under way (its body did not parse, or it timed out): its own
      // handler logs it, so answer through its response, unless that has begun.
      if (res.headersSent) socket.destroy();
      else sendJson(res, answer.status, answer.body, { ...answer.headers, connection: "close" });
      return;
    }
    const record = new RequestRecord(newRequestId(), "-", "-");
    record.error = String(failure.code);
    answerAndClose(socket, rawAnswer({ ...answer, headers: { ...answer.headers, "x-request-id": record.requestId } }));
    onLog?.(record.entry(failure.status, false));
  });
  return {
    track(res) {
      // Replaced by the socket's next request; no listener per request to forget it.
      if (res.socket) answering.set(res.socket, res);
    },
  };
}
