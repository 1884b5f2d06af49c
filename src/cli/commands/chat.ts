// `chat`: an interactive REPL over one provider. Answers stream as they arrive; Ctrl-C
// cancels the answer in flight (the prompt comes back), Ctrl-D or /exit leaves. On a
// terminal readline runs in raw mode, so Ctrl-C arrives as readline's SIGINT event
// rather than a process signal; piped input gets the process signal instead.
import { createInterface, type Interface } from "node:readline";
import { SETTING_FLAGS, SETTING_FLAGS_HELP } from "../../config/settings.js";
import { ProviderError } from "../../errors.js";
import { exitCodeFor } from "../exit-codes.js";
import { COMMON_FLAGS, parseFlags } from "../args.js";
import { AnswerNotes } from "../answer-notes.js";
import { ChatSession, SLASH_HELP } from "../chat/session.js";
import type { CliContext, Command } from "../context.js";
import { formatError, style } from "../format.js";
import { cliSettings, providerFor } from "../open-provider.js";
import { FIRST_OUTPUT, startSpinner } from "../spinner.js";
import { withServedModels } from "../model-hint.js";
import type { Provider } from "../../providers/provider.js";

const PROMPT = "› ";
const CONTINUATION = "… ";

interface Repl {
  session: ChatSession;
  provider: Provider;
  context: CliContext;
  verbose: boolean;
  /** The answer in flight, if any: Ctrl-C aborts it. */
  active?: AbortController;
}

/** Stream one answer; the turn is kept only when it completes. Returns the failure, if any. */
async function answer(repl: Repl, prompt: string): Promise<unknown> {
  const { context, session } = repl;
  const s = style(context.color);
  const controller = new AbortController();
  repl.active = controller;
  const spinner = startSpinner(context, "thinking…");
  const notes = new AnswerNotes(context.stderr, s);
  let atLineStart = true;
  try {
    for await (const event of session.ask(prompt, controller.signal)) {
      if (FIRST_OUTPUT.has(event.type)) spinner.stop();
      if (notes.write(event)) continue;
      if (event.type === "text_delta") {
        notes.end();
        context.stdout.write(event.delta);
        atLineStart = event.delta.endsWith("\n");
      } else if (event.type === "done") {
        notes.end();
        if (!atLineStart) context.stdout.write("\n");
        atLineStart = true;
        session.commit(prompt, event.result);
        if (event.result.stopReason === "length" || event.result.stopReason === "content_filter" || event.result.stopReason === "incomplete") {
          context.stderr.write(s.yellow(`(the answer is incomplete: ${event.result.incompleteReason})\n`));
        }
      }
    }
  } catch (error) {
    spinner.stop();
    notes.end();
    if (!atLineStart) context.stdout.write("\n");
    const cancelled = controller.signal.aborted && error instanceof ProviderError && error.code === "aborted";
    if (cancelled) {
      context.stderr.write(s.dim("(cancelled — this answer is not kept)\n"));
      return error;
    }
    const explained = await withServedModels(error, repl.provider);
    context.stderr.write(`${formatError(explained, repl.verbose)}\n`);
    return explained;
  } finally {
    spinner.stop();
    repl.active = undefined;
  }
}

/** Complete messages from the terminal: a line ending in \ continues on the next one. */
async function* messages(rl: Interface, prompt: (text: string) => void): AsyncGenerator<string> {
  const lines = rl[Symbol.asyncIterator]();
  for (;;) {
    prompt(PROMPT);
    let next = await lines.next();
    if (next.done) return;
    let text: string = next.value;
    while (text.endsWith("\\")) {
      prompt(CONTINUATION);
      next = await lines.next();
      text = `${text.slice(0, -1)}\n${next.done ? "" : next.value}`;
      if (next.done) break;
    }
    yield text;
  }
}

export const command: Command = {
  summary: "Chat with a model in the terminal (multi-turn, streaming)",
  help: `Usage: codex-provider chat [options]

An interactive conversation: each message is sent with the whole history so far and
the answer streams as it arrives. Ctrl-C cancels the answer in flight (not the
program); Ctrl-D or /exit quits. Piped input works too: one message per line.

${SLASH_HELP}

Options:
  -i, --instructions <txt>  system prompt for the whole conversation
  -q, --quiet               no banner, warnings or retry notices
      --verbose             error details

${SETTING_FLAGS_HELP}

Examples:
  codex-provider chat
  codex-provider chat -p chatgpt -m gpt-5.5 -r high
  printf 'hi\\nand again\\n' | codex-provider chat -p local
`,
  async run(args, context) {
    const { values } = parseFlags(args, { ...COMMON_FLAGS, ...SETTING_FLAGS, instructions: { type: "string", short: "i" } });
    const cli = await cliSettings(values, context);
    const provider = providerFor(cli, values, context, "auto");
    const session = new ChatSession(provider, {
      model: cli.settings.model.value,
      effort: cli.settings.reasoning_effort.value,
      verbosity: cli.settings.verbosity.value,
      instructions: values.instructions,
    });
    const repl: Repl = { session, provider, context, verbose: Boolean(values.verbose) };
    const interactive = Boolean(context.stdin.isTTY && (context.stdout as { isTTY?: boolean }).isTTY);
    const s = style(context.color);
    const rl = createInterface({ input: context.stdin, output: context.stdout, terminal: interactive, historySize: 200 });
    const prompt = (text: string) => {
      if (!interactive) return;
      rl.setPrompt(text === PROMPT ? s.bold(text) : s.dim(text));
      rl.prompt();
    };

    const interrupt = () => {
      if (repl.active) return repl.active.abort();
      if (!interactive) return rl.close();
      // At the prompt, like a shell: drop what was typed and ask again.
      rl.write(null, { ctrl: true, name: "e" });
      rl.write(null, { ctrl: true, name: "u" });
      context.stdout.write(s.dim("^C (Ctrl-D or /exit to quit)\n"));
      prompt(PROMPT);
    };
    rl.on("SIGINT", interrupt);
    process.on("SIGINT", interrupt);
    // Ctrl-D during an answer quits at once; piped input ends with EOF and is answered in full.
    if (interactive) rl.on("close", () => repl.active?.abort());

    if (interactive && !values.quiet) {
      const effort = session.effort ? ` · reasoning ${session.effort}` : "";
      const label = provider.experimental ? s.yellow(" (experimental)") : "";
      context.stderr.write(`${s.bold("codex-provider chat")} · ${provider.id}${label} · model ${session.model ?? "default"}${effort}\n`);
      context.stderr.write(s.dim("Type /help for commands, Ctrl-C to cancel an answer, Ctrl-D to quit.\n"));
    }
    let failure: unknown;
    try {
      for await (const text of messages(rl, prompt)) {
        if (text.trim().startsWith("/")) {
          const result = session.slash(text);
          if (result.exit) break;
          context.stdout.write(`${result.output}\n`);
        } else if (text.trim()) {
          failure = (await answer(repl, text)) ?? failure;
        }
      }
    } finally {
      process.removeListener("SIGINT", interrupt);
      rl.close();
    }
    // A script feeding the REPL learns that an answer failed; a person at the terminal saw it.
    return interactive || failure === undefined ? 0 : exitCodeFor(failure);
  },
};
