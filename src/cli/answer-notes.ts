// What an answer says besides its text goes to stderr: reasoning and commentary
// (preambles) dimmed, a refusal labelled in yellow — shown even with --quiet, because
// a refused answer has no text and must never look like an empty success.
import type { StreamEvent } from "../types.js";
import type { style } from "./format.js";

type Note = "reasoning_summary_delta" | "reasoning_text_delta" | "commentary_delta" | "refusal_delta";

export class AnswerNotes {
  /** The kind of note being written, until a line break closes it. */
  private open?: Note;

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly s: ReturnType<typeof style>,
    private readonly quiet = false,
  ) {}

  /** Writes the event if it is a note; true when it was one. */
  write(event: StreamEvent): boolean {
    switch (event.type) {
      case "reasoning_summary_delta":
      case "reasoning_text_delta":
      case "commentary_delta":
        if (!this.quiet) this.emit(event.type, this.s.dim(event.delta));
        return true;
      case "refusal_delta":
        this.emit(event.type, this.s.yellow(event.delta));
        return true;
      default:
        return false;
    }
  }

  /** End the open note on its own line, so what follows starts clean. */
  end(): void {
    if (!this.open) return;
    this.stderr.write(this.open === "refusal_delta" ? "\n" : "\n\n");
    this.open = undefined;
  }

  private emit(kind: Note, text: string): void {
    if (this.open !== kind) {
      this.end();
      this.open = kind;
      if (kind === "refusal_delta") this.stderr.write(this.s.yellow(this.s.bold("refusal: ")));
    }
    this.stderr.write(text);
  }
}
