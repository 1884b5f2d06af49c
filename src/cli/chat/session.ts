// The state of a `chat` session, apart from the terminal: the conversation history,
// the current model and reasoning effort, token totals, and the slash commands that
// change them. A turn joins the history only when it completes, so a cancelled or
// failed answer leaves no half turn behind.
import { REASONING_EFFORTS } from "../../config/settings.js";
import type { Provider } from "../../providers/provider.js";
import type { ResponseStream } from "../../transport/response-stream.js";
import type { InputItem, ModelRequest, ReasoningEffort, ResponseResult, Usage, Verbosity } from "../../types.js";
import { formatUsage } from "../format.js";

export interface SessionOptions {
  model?: string;
  effort?: ReasoningEffort;
  verbosity?: Verbosity;
  instructions?: string;
}

export interface SlashResult {
  output: string;
  exit?: boolean;
}

const ZERO: Usage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 };

function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

export const SLASH_HELP = `Commands:
  /model [id]          show or switch the model (the history is kept)
  /reasoning [effort]  show or set the reasoning effort (${REASONING_EFFORTS.join(", ")}, or "default")
  /usage               tokens used by the last answer and by the whole session
  /new                 forget the conversation and start over
  /help                this list
  /exit                leave (Ctrl-D works too)
End a line with \\ to continue the message on the next line. Ctrl-C cancels the current answer.`;

export class ChatSession {
  private history: InputItem[] = [];
  private lastUsage?: Usage;
  private totalUsage: Usage = ZERO;
  private turns = 0;

  constructor(
    private readonly provider: Provider,
    private readonly options: SessionOptions,
  ) {}

  get model(): string | undefined {
    return this.options.model;
  }

  get effort(): ReasoningEffort | undefined {
    return this.options.effort;
  }

  /** Stream the answer to `prompt` with the whole conversation so far. */
  ask(prompt: string, signal: AbortSignal): ResponseStream {
    const request: ModelRequest = {
      model: this.options.model,
      instructions: this.options.instructions,
      input: [...this.history, { type: "message", role: "user", content: prompt }],
      reasoning: this.options.effort ? { effort: this.options.effort, summary: "auto" } : undefined,
      text: this.options.verbosity ? { verbosity: this.options.verbosity } : undefined,
    };
    return this.provider.stream(request, { signal });
  }

  /** Keep a completed turn: the prompt, then the output items as the server sent them (replayable). */
  commit(prompt: string, result: ResponseResult): void {
    this.history.push({ type: "message", role: "user", content: prompt });
    for (const item of result.output) this.history.push({ type: "raw", item });
    this.turns += 1;
    if (result.usage) {
      this.lastUsage = result.usage;
      this.totalUsage = addUsage(this.totalUsage, result.usage);
    }
  }

  /** Run a `/command`; unknown commands are answered, never sent to the model. */
  slash(line: string): SlashResult {
    const [name, ...args] = line.trim().slice(1).split(/\s+/);
    const arg = args.join(" ");
    switch (name) {
      case "exit":
      case "quit":
        return { output: "", exit: true };
      case "help":
        return { output: SLASH_HELP };
      case "model":
        if (arg) this.options.model = arg;
        return { output: `model: ${this.options.model ?? `${this.provider.id}'s default`}` };
      case "reasoning": {
        if (arg === "default") this.options.effort = undefined;
        else if (arg) {
          if (!(REASONING_EFFORTS as readonly string[]).includes(arg)) {
            return { output: `Unknown effort "${arg}". Choose one of: ${REASONING_EFFORTS.join(", ")}, default.` };
          }
          this.options.effort = arg as ReasoningEffort;
        }
        return { output: `reasoning effort: ${this.options.effort ?? "the model's default"}` };
      }
      case "usage":
        return {
          output: [
            `last answer: ${this.lastUsage ? formatUsage(this.lastUsage) : "none yet"}`,
            `session (${this.turns} ${this.turns === 1 ? "turn" : "turns"}): ${formatUsage(this.totalUsage)}`,
          ].join("\n"),
        };
      case "new":
        this.history = [];
        return { output: "Started a new conversation." };
      default:
        return { output: `Unknown command /${name}. Type /help for the list.` };
    }
  }
}
