// node:http's response to one request, knowing the request's id: every answer names it
// in `x-request-id`. The writers put it in their one writeHead() rather than a
// setHeader() as the request arrives: with no header set beforehand, writeHead() takes
// the headers object as given instead of recording each header on its own first.
import { ServerResponse, type IncomingMessage } from "node:http";

// Generic as ServerResponse is, so a server made with it is still a node:http `Server`.
export class Answer<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  /** Set as the request arrives (request-handler.ts), before anything can be written. */
  requestId = "";
}

/**
 * The status line and headers, with the request's id, in one writeHead(): the route's
 * `headers`, then the writer's own (`framing`: content type and length), which win.
 */
export function writeHead(res: Answer, status: number, headers: Readonly<Record<string, string>>, framing?: Readonly<Record<string, string | number>>): void {
  res.writeHead(status, { ...headers, ...framing, "x-request-id": res.requestId });
}
