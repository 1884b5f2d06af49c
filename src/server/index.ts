// Public entry for the local server. The HTTP server code loads on first use, so
// importing the library does not pull in node:http server pieces.
import type { LocalServer, ServerOptions } from "./server.js";

export type { LocalServer, ServerOptions } from "./server.js";
export type { AccessLogEntry } from "./access-log.js";

/** Start the local OpenAI-compatible server; resolves once it is listening. */
export async function createServer(options: ServerOptions = {}): Promise<LocalServer> {
  const { startServer } = await import("./server.js");
  return startServer(options);
}
