// The chunks of one response body between the socket's events and the reader that
// pulls them. Bounded: the source is paused at `highWater` chunks and resumed once
// the reader has taken it below half, so a slow consumer holds the socket back rather
// than buffering without limit. A failure is seen only after the chunks before it.
// Read by pulling (next(), a promise per chunk that is not already buffered) or by
// listening (listen(): each chunk handed over as it arrives, with no promise).

/** The part of a Readable the queue drives (backpressure). */
export interface PausableSource {
  pause(): void;
  resume(): void;
  isPaused(): boolean;
}

export class BodyQueue {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private failed = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  /** A listening reader's: called at every push, end and failure until unset. */
  private watcher: (() => void) | undefined;

  constructor(
    private readonly source: PausableSource,
    private readonly highWater: number,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    if (this.chunks.length >= this.highWater) this.source.pause();
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  /** The first failure wins: later ones (the close after an error) are its echoes. */
  fail(error: unknown): void {
    if (!this.failed) {
      this.failed = true;
      this.failure = error;
    }
    this.notify();
  }

  /** The next buffered chunk, or undefined when none is waiting. Synchronous, so buffered chunks cost no promise. */
  shift(): Buffer | undefined {
    const chunk = this.chunks.shift();
    if (chunk !== undefined && this.source.isPaused() && this.chunks.length < this.highWater / 2) this.source.resume();
    return chunk;
  }

  /** With nothing buffered: true at the end, throws the failure, false while more may come. */
  finished(): boolean {
    if (this.failed) throw this.failure;
    return this.ended;
  }

  /** Resolves at the next push, end or failure. */
  changed(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** `watcher` runs at every push, end and failure from now on (undefined: no more). */
  watch(watcher: (() => void) | undefined): void {
    this.watcher = watcher;
  }

  /**
   * The chunks in order until the end; the failure after the chunks before it. A
   * hand-written iterator rather than an async generator: a buffered chunk costs one
   * resolved promise, not a generator hop. `settle` runs once, when the reader met the
   * end (`complete`), met a failure (`failed`; what it returns is thrown instead), or
   * stopped early (`stopped`, by return()).
   */
  reader(settle: (outcome: BodyOutcome, error?: unknown) => unknown): BodyReader {
    return new BodyReader(this, settle);
  }

  private notify(): void {
    const resume = this.wake;
    this.wake = undefined;
    resume?.();
    this.watcher?.();
  }
}

type BodyOutcome = "complete" | "failed" | "stopped";

const END: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Push reading: each chunk, then the end (`done`), or the failure. */
export interface BodyListener {
  chunk(step: IteratorResult<Buffer>): void;
  failed(error: unknown): void;
}

/** A body that can be read by listening as well as by pulling (BodyQueue's). */
export interface ListenableBody extends AsyncIterator<Buffer> {
  listen(listener: BodyListener): void;
  unlisten(): void;
}

/** BodyQueue.reader(): one object per body, rather than a closure per method. */
class BodyReader implements AsyncIterableIterator<Buffer>, ListenableBody {
  private settled = false;
  private listener: BodyListener | undefined;
  /** Set while handing chunks to the listener: a push made meanwhile is picked up by that loop. */
  private handing = false;

  constructor(
    private readonly queue: BodyQueue,
    private readonly settle: (outcome: BodyOutcome, error?: unknown) => unknown,
  ) {}

  next(): Promise<IteratorResult<Buffer>> {
    if (this.settled) return Promise.resolve(END);
    try {
      const step = this.step();
      return step ? Promise.resolve(step) : this.wait();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  return(): Promise<IteratorResult<Buffer>> {
    this.finish("stopped");
    return Promise.resolve(END);
  }

  /**
   * Hands `listener` the chunks already buffered, at once, then each as it arrives, until
   * the end or a failure, or until unlisten(). Backpressure stays the queue's: while
   * nobody listens or pulls, chunks buffer and the source pauses.
   */
  listen(listener: BodyListener): void {
    this.listener = listener;
    this.queue.watch(this.hand);
    this.hand();
  }

  unlisten(): void {
    this.listener = undefined;
    this.queue.watch(undefined);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async wait(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      await this.queue.changed();
      const step = this.step();
      if (step) return step;
    }
  }

  private readonly hand = (): void => {
    if (this.handing) return;
    this.handing = true;
    try {
      for (let listener = this.listener; listener && listener === this.listener; ) {
        let step: IteratorResult<Buffer> | undefined;
        try {
          step = this.settled ? END : this.step();
        } catch (error) {
          this.unlisten();
          listener.failed(error);
          return;
        }
        if (!step) return;
        if (step.done) this.unlisten();
        listener.chunk(step);
      }
    } finally {
      this.handing = false;
    }
  };

  /** A chunk, the end, a throw, or undefined while more may come. */
  private step(): IteratorResult<Buffer> | undefined {
    const chunk = this.queue.shift();
    if (chunk !== undefined) return { done: false, value: chunk };
    let ended: boolean;
    try {
      ended = this.queue.finished();
    } catch (error) {
      throw this.finish("failed", error);
    }
    if (!ended) return undefined;
    this.finish("complete");
    return END;
  }

  /** Runs `settle` once; returns what to throw for a failure. */
  private finish(outcome: BodyOutcome, error?: unknown): unknown {
    if (this.settled) return error;
    this.settled = true;
    if (outcome === "stopped") this.unlisten();
    return this.settle(outcome, error);
  }
}
