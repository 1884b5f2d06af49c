// The chunks of one response body between the socket's events and the reader that
// pulls them. Bounded: the source is paused at `highWater` chunks and resumed once
// the reader has taken it below half, so a slow consumer holds the socket back rather
// than buffering without limit. A failure is seen only after the chunks before it.

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

  /**
   * The chunks in order until the end; the failure after the chunks before it. A
   * hand-written iterator rather than an async generator: a buffered chunk costs one
   * resolved promise, not a generator hop. `settle` runs once, when the reader met the
   * end (`complete`), met a failure (`failed`; what it returns is thrown instead), or
   * stopped early (`stopped`, by return()).
   */
  reader(settle: (outcome: "complete" | "failed" | "stopped", error?: unknown) => unknown): AsyncIterableIterator<Buffer> {
    let settled = false;
    const finish = (outcome: "complete" | "failed" | "stopped", error?: unknown): unknown => {
      if (settled) return error;
      settled = true;
      return settle(outcome, error);
    };
    const read = async (): Promise<IteratorResult<Buffer>> => {
      for (;;) {
        await this.changed();
        const step = this.step(finish);
        if (step) return step;
      }
    };
    return {
      next: () => {
        if (settled) return Promise.resolve({ done: true, value: undefined });
        try {
          const step = this.step(finish);
          return step ? Promise.resolve(step) : read();
        } catch (error) {
          return Promise.reject(error);
        }
      },
      return: () => {
        finish("stopped");
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** The next step for a reader: a chunk, the end, a throw, or undefined to wait. */
  private step(finish: (outcome: "complete" | "failed", error?: unknown) => unknown): IteratorResult<Buffer> | undefined {
    const chunk = this.shift();
    if (chunk !== undefined) return { done: false, value: chunk };
    let ended: boolean;
    try {
      ended = this.finished();
    } catch (error) {
      throw finish("failed", error);
    }
    if (!ended) return undefined;
    finish("complete");
    return { done: true, value: undefined };
  }

  private notify(): void {
    const resume = this.wake;
    this.wake = undefined;
    resume?.();
  }
}
