// An error answer written straight to a socket, for the moments node:http has no
// response object to write it through: a connection refused over the cap, a request
// it could not parse.
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { ErrorAnswer } from "./errors.js";

/**
 * How long a socket may linger after its answer before it is destroyed: long enough for
 * the client to read the answer (closing with its unread input at once would reset the
 * connection and lose the answer), short enough that it cannot hold the socket.
 */
const LINGER_MS = 1_000;

/** The whole HTTP/1.1 response, closing the connection. */
export function rawAnswer(answer: ErrorAnswer): Buffer {
  const body = JSON.stringify(answer.body);
  const headers = { ...answer.headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(body)), connection: "close" };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  return Buffer.from(`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}\r\n${head}\r\n${body}`);
}

/** Send `bytes` (a rawAnswer), close our side, and destroy the socket after the linger time. */
export function answerAndClose(socket: Socket, bytes: Buffer): void {
  socket.end(bytes);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
