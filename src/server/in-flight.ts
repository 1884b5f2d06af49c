// The requests being answered right now, and the graceful close built on them: stop
// accepting, let in-flight requests finish for a grace period, then cancel the rest
// (which aborts their upstream calls) and give them a moment to write a final error.
import type { Server } from "node:http";
import { SHUTDOWN } from "./route-context.js";

/** After cancelling, how long handlers get to write their final error event. */
const ABORT_FLUSH_MS = 250;

/** What a request can cancel: the upstream call it waits for (a ResponseStream). */
interface Abortable {
  abort(): void;
}

/**
 * One request being answered. Cancelling it aborts the upstream call it is waiting for
 * directly, rather than through an AbortSignal handed to the provider: an AbortSignal
 * costs about 8 µs to create on Node 20, a measurable share of a proxied call.
 */
export class InFlightRequest {
  /** Set once cancelled: SHUTDOWN when the drain stopped waiting, undefined when the client went away. */
  reason?: unknown;
  cancelled = false;
  private call?: Abortable;

  /** `stream` is the upstream call this request now waits for; aborted at once if the request was already cancelled. */
  upstream<T extends Abortable>(stream: T): T {
    if (this.cancelled) stream.abort();
    else this.call = stream;
    return stream;
  }

  /**
   * Answered: let go of the upstream call. Leaving the registry's Set is not enough: a
   * Set's outgrown hash tables stay in old space until the next full GC, still pointing at
   * the requests that were in flight when they were replaced, and the scavenger treats old
   * space as roots. Through `call`, each of those requests would keep its whole upstream
   * call (body chunks, events, route state) alive and promoted: ~12 KB a call at 64
   * streams (docs/PERFORMANCE.md, "Ninth pass").
   */
  finished(): void {
    this.call = undefined;
  }

  cancel(reason?: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.reason = reason;
    this.call?.abort();
  }
}

export class InFlight {
  private readonly requests = new Set<InFlightRequest>();
  /** Ends the current wait early: the last request finished, or close() was called again. */
  private wake?: () => void;
  /** Set once a drain starts; new requests are answered with SHUTDOWN. */
  draining = false;

  get size(): number {
    return this.requests.size;
  }

  /** A new request; it is cancelled if the drain outlasts the grace period. */
  start(): InFlightRequest {
    const request = new InFlightRequest();
    this.requests.add(request);
    return request;
  }

  finish(request: InFlightRequest): void {
    this.requests.delete(request);
    request.finished();
    if (this.requests.size === 0) this.wake?.();
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
    for (const request of this.requests) request.cancel(SHUTDOWN);
    await this.settled(ABORT_FLUSH_MS);
    server.closeAllConnections();
    await closed;
  }

  /** Resolves when nothing is in flight, after `ms`, or on stopWaiting(). */
  private settled(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.requests.size === 0) return resolve();
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
