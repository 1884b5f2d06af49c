// One call's cancellation without an AbortSignal per call: on Node 20 creating an
// AbortController costs ~6 µs and adding a listener to its signal more, a few percent
// of a short streaming call. The transport's own layers listen through CancelSignal,
// which an AbortSignal also satisfies; a real AbortSignal is made only when something
// asks for one (an auth source refreshing a token, a retry's sleep).

/** What the transport's layers use of a signal: whether it fired, and a listener for when it does. */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

export class CallCancel implements CancelSignal {
  aborted = false;
  /** Usually one listener (the HTTP client's) at a time. */
  private readonly listeners: (() => void)[] = [];
  private controller: AbortController | undefined;

  /** Fires the listeners in the order they were added, once. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller?.abort();
    for (const listener of this.listeners.splice(0)) listener();
  }

  addEventListener(_type: "abort", listener: () => void): void {
    if (!this.aborted) this.listeners.push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
  }

  /** An AbortSignal that follows this call, made at the first request (for APIs that take one). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }
}

/** The AbortSignal behind a CancelSignal, for APIs that take only a real one. */
export function abortSignalOf(signal: CancelSignal | undefined): AbortSignal | undefined {
  return signal instanceof CallCancel ? signal.signal : (signal as AbortSignal | undefined);
}
