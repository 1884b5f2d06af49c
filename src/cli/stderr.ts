// The CLI's one writer to stderr. A status line (the spinner) lives on the last line and
// is erased before anything else is written, so notices, warnings and the spinner never
// share a line; the spinner redraws itself on its next frame.
import { Writable } from "node:stream";

const CLEAR_LINE = "\r\x1b[K";

export class StderrWriter extends Writable {
  private statusShown = false;

  constructor(private readonly target: NodeJS.WritableStream) {
    super({ decodeStrings: false });
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.clearStatus();
    this.target.write(chunk);
    // Done at once (the target queues in order), so a later status line cannot overtake this chunk.
    done();
  }

  /** Replace the status line with `text` (no newline). */
  showStatus(text: string): void {
    this.target.write(`${CLEAR_LINE}${text}`);
    this.statusShown = true;
  }

  /** Erase the status line if one is shown. */
  clearStatus(): void {
    if (!this.statusShown) return;
    this.statusShown = false;
    this.target.write(CLEAR_LINE);
  }
}
