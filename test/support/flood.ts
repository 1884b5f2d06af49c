// A loopback upstream that floods: one huge or endless body per request, for the
// memory-bound tests (client and serve).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Flood {
  url: string;
  /** Bytes written per request, in arrival order. */
  sent: number[];
  /** Resolves once `count` requests have seen their connection closed by the client. */
  closed(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback server whose every response is `head` followed by `filler` repeated up to
 * `capBytes` (then `tail`), written with backpressure. A bounded client hangs up early.
 */
export async function startFlood(options: { status?: number; contentType: string; head: string; filler: string; tail?: string; capBytes: number }): Promise<Flood> {
  const sent: number[] = [];
  let closedCount = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const chunk = Buffer.from(options.filler.repeat(Math.ceil((64 * 1024) / options.filler.length)));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const index = sent.push(0) - 1;
    req.resume();
    res.on("close", () => {
      closedCount++;
      for (const waiter of waiters.filter((w) => closedCount >= w.count)) waiter.resolve();
    });
    res.writeHead(options.status ?? 200, { "content-type": options.contentType });
    res.write(options.head);
    const pump = () => {
      while (!res.destroyed && sent[index] < options.capBytes) {
        sent[index] += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      if (!res.destroyed) res.end(options.tail ?? "");
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    closed: (count) => (closedCount >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
