import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { SETTING_FLAGS, SETTING_FLAGS_HELP } from "../../config/settings.js";
import { messageOf, ProviderError } from "../../errors.js";
import type { ModelRequest, ResponseResult, TextFormat } from "../../types.js";
import { AnswerNotes } from "../answer-notes.js";
import { COMMON_FLAGS, parseFlags, readStdin } from "../args.js";
import type { Command } from "../context.js";
import { formatUsage, style } from "../format.js";
import { cliSettings, providerFor } from "../open-provider.js";
import { FIRST_OUTPUT, startSpinner } from "../spinner.js";
import { withServedModels } from "../model-hint.js";
import { ExitCode } from "../exit-codes.js";

export const command: Command = {
  summary: "Send one prompt and stream the answer",
  help: `Usage: codex-provider ask [options] <prompt…> [-]

Streams the model's answer to stdout token by token; usage goes to stderr.
Reasoning and preambles (commentary) go to stderr dimmed; a refusal goes to stderr
labelled "refusal:" (even with --quiet) and the exit code is 6.
With -, stdin is read too: the words become the first line of the prompt (the
instruction) and stdin its body; - alone sends stdin as the whole prompt.
A reader that stops early (| head) ends the command quietly with exit 0.

Options:
  -i, --instructions <txt>  system prompt
      --json-schema <file>  answer with JSON matching this JSON Schema (structured output)
      --json                one JSON event per line on stdout (for scripts)
  -q, --quiet               no usage, retry notices or spinner on stderr
      --verbose             error details
  -                         append stdin to the prompt (or, alone, send stdin as the prompt)

${SETTING_FLAGS_HELP}

Examples:
  OPENAI_API_KEY=sk-… codex-provider ask "Explain SSE in one sentence"
  git diff | codex-provider ask -m gpt-5.5 -r high -i "Review this diff" -
  echo "long text" | codex-provider ask "Summarise:" -
  codex-provider ask --json "hi" | jq -c 'select(.type=="text_delta")'
  codex-provider ask -p local "hi"        # a [providers.local] from config.toml
  codex-provider ask --json-schema person.schema.json "Invent a person" | jq .name
`,
  async run(args, context) {
    const { values, positionals } = parseFlags(
      args,
      { ...COMMON_FLAGS, ...SETTING_FLAGS, instructions: { type: "string", short: "i" }, "json-schema": { type: "string" } },
      true,
    );
    const cli = await cliSettings(values, context);
    const effort = cli.settings.reasoning_effort.value;
    const verbosity = cli.settings.verbosity.value;
    const prompt = await promptFrom(positionals, context.stdin);
    if (!prompt.trim()) {
      throw new ProviderError("config_error", "No prompt given.", { hint: 'Usage: codex-provider ask "your prompt" (or - to read stdin)' });
    }

    const provider = providerFor(cli, values, context);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once("SIGINT", onSigint);
    const format = values["json-schema"] === undefined ? undefined : await readJsonSchema(values["json-schema"]);
    const request: ModelRequest = {
      input: prompt,
      instructions: values.instructions,
      reasoning: effort ? { effort, summary: "auto" } : undefined,
      text: verbosity || format ? { verbosity, format } : undefined,
    };
    const s = style(context.color);
    const notes = new AnswerNotes(context.stderr, s, Boolean(values.quiet));
    let endedWithNewline = true;
    let refused = false;
    const spinner = values.json || values.quiet ? undefined : startSpinner(context, `waiting for ${provider.id}…`);
    try {
      for await (const event of provider.stream(request, { signal: controller.signal })) {
        if (FIRST_OUTPUT.has(event.type)) spinner?.stop();
        if (values.json) {
          context.stdout.write(`${JSON.stringify(event)}\n`);
          if (event.type === "done") refused = isRefusal(event.result);
          continue;
        }
        if (notes.write(event)) continue;
        if (event.type === "text_delta") {
          notes.end();
          context.stdout.write(event.delta);
          endedWithNewline = event.delta.endsWith("\n");
        } else if (event.type === "function_call") {
          notes.end();
          const { name, arguments: input, kind } = event.call;
          context.stdout.write(kind === "custom" ? `\n[custom tool call] ${name}: ${input}\n` : `\n[function call] ${name}(${input})\n`);
          endedWithNewline = true;
        } else if (event.type === "done") {
          notes.end();
          if (!endedWithNewline) context.stdout.write("\n");
          const { result } = event;
          refused = isRefusal(result);
          if (result.stopReason === "length" || result.stopReason === "incomplete" || result.stopReason === "content_filter") {
            context.stderr.write(s.yellow(`warning: the answer is incomplete (${result.incompleteReason})\n`));
          }
          if (!values.quiet) for (const line of sourceLines(result)) context.stderr.write(s.dim(`${line}\n`));
          if (result.usage && !values.quiet) context.stderr.write(s.dim(`${formatUsage(result.usage)}\n`));
        }
      }
    } catch (error) {
      // The error message starts on its own line, after any note or answer text.
      notes.end();
      if (!endedWithNewline && !values.json) context.stdout.write("\n");
      if (values.json && error instanceof ProviderError) context.stdout.write(`${JSON.stringify({ type: "error", error })}\n`);
      if (error instanceof ProviderError && error.code === "aborted" && controller.signal.aborted) return ExitCode.interrupted;
      throw await withServedModels(error, provider);
    } finally {
      spinner?.stop();
      process.removeListener("SIGINT", onSigint);
    }
    // The tool worked, but a script must not take a refusal's empty stdout for an answer.
    return refused ? ExitCode.refused : ExitCode.ok;
  },
};

/** A refusal with no answer text beside it. */
function isRefusal(result: ResponseResult): boolean {
  return result.refusal !== undefined && !result.text;
}

/** "source: title <url>" for each URL citation on the answer. */
function sourceLines(result: ResponseResult): string[] {
  return result.annotations
    .filter((a) => a.type === "url_citation" && typeof a.url === "string")
    .map((a) => `source: ${typeof a.title === "string" && a.title ? `${a.title} ` : ""}<${String(a.url)}>`);
}

/** The words, then (with `-`) stdin as the body: `git diff | ask "Review:" -` (as llm and sgpt do). */
async function promptFrom(positionals: string[], stdin: NodeJS.ReadableStream): Promise<string> {
  const words = positionals.filter((word) => word !== "-").join(" ");
  if (!positionals.includes("-")) return words;
  const body = await readStdin(stdin);
  return words ? `${words}\n\n${body}` : body;
}

/** A JSON Schema file as a structured-output format; its name comes from the file name. */
async function readJsonSchema(path: string): Promise<TextFormat> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ProviderError("config_error", `Cannot read the JSON Schema file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw new ProviderError("config_error", `${path} is not valid JSON: ${messageOf(error)}.`);
  }
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) {
    throw new ProviderError("config_error", `${path} must hold a JSON Schema object (e.g. {"type":"object", …}).`);
  }
  const name = basename(path).replace(/(\.schema)?\.json$/i, "").replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64) || "response";
  return { type: "json_schema", name, schema: schema as Record<string, unknown>, strict: false };
}
