// The requests being answered right now, and the graceful close built on them: stop
// accepting, let in-flight requests finish for a grace period, then abort the rest
// (which cancels their upstream calls) and give them a moment to write a final error.
import type { Server } from "node:http";
import { SHUTDOWN } from "./route-context.js";

/** After aborting, how long handlers get to write their final error event. */
const ABORT_FLUSH_MS = 250;

export class InFlight {
  private readonly controllers = new Set<AbortController>();
  /** Ends the current wait early: the last request finished, or close() was called again. */
  private wake?: () => void;
  /** Set once a drain starts; new requests are answered with SHUTDOWN. */
  draining = false;

  get size(): number {
    return this.controllers.size;
  }

  /** A new request; its controller is aborted if the drain outlasts the grace period. */
  start(): AbortController {
    const controller = new AbortController();
    this.controllers.add(controller);
    return controller;
  }

  finish(controller: AbortController): void {
    this.controllers.delete(controller);
    if (this.controllers.size === 0) this.wake?.();
  }

  /** Stop waiting for in-flight requests (a second Ctrl-C). */
  stopWaiting(): void {
    this.wake?.();
  }

  async drain(server: Server, graceMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await this.settled(graceMs);
    for (const controller of this.controllers) controller.abort(SHUTDOWN);
    await this.settled(ABORT_FLUSH_MS);
    server.closeAllConnections();
    await closed;
  }

  /** Resolves when nothing is in flight, after `ms`, or on stopWaiting(). */
  private settled(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.controllers.size === 0) return resolve();
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
