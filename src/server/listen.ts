// Binding the listener and the URL clients should use for it.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = "127.0.0.1";

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Listen on host:port (0 = a free port); resolves with the server's root URL. */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  // A wildcard bind is reachable on loopback too, which is what a local client wants.
  return `http://${urlHost(host === "0.0.0.0" || host === "::" ? DEFAULT_HOST : host)}:${bound}`;
}
