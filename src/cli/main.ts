// CLI entry: dispatches to one lazily loaded module per command so that
// `--version` and `--help` stay as cheap as a bare Node start.
import { ExitCode, exitCodeFor } from "./exit-codes.js";
import { VERSION } from "../version.js";
import { processContext, type CliContext, type Command } from "./context.js";
import { formatError } from "./format.js";
import { closest } from "./suggest.js";

/** Kept in step with bin/codex-provider.js, which answers these before loading the CLI. */
const VERSION_ARGS = ["--version", "-v", "-V", "version"];

type Loader = () => Promise<{ command: Command; loginHelp?: () => Promise<string> }>;

/** `configEnv`: the command reads base URLs from env only, so config.toml's are put there first. */
const COMMANDS: Record<string, { summary: string; load: Loader; configEnv?: true }> = {
  ask: { summary: "Send one prompt and stream the answer", load: () => import("./commands/ask.js") },
  chat: { summary: "Chat with a model in the terminal (multi-turn, streaming)", load: () => import("./commands/chat.js") },
  models: { summary: "List the models a provider serves", load: () => import("./commands/models.js") },
  login: { summary: "Sign in or store a credential for a provider", load: () => import("./commands/login.js"), configEnv: true },
  logout: { summary: "Sign out of a provider and delete its stored credential", load: () => import("./commands/logout.js"), configEnv: true },
  status: { summary: "Show which providers you are signed in to", load: () => import("./commands/status.js") },
  config: { summary: "Show, check or import the configuration (config.toml)", load: () => import("./commands/config.js") },
  usage: { summary: "Show ChatGPT plan usage windows (chatgpt-codex)", load: () => import("./commands/usage.js") },
  "export-codex": { summary: "Write the chatgpt-codex sign-in as a Codex CLI auth.json", load: () => import("./commands/export-codex.js") },
  emulator: { summary: "Run the built-in emulator of OpenAI's endpoints", load: () => import("./commands/emulator.js") },
  doctor: { summary: "Tell why something does not work (no tokens spent)", load: () => import("./commands/doctor.js") },
  serve: { summary: "Serve your credential as a local OpenAI-compatible API", load: () => import("./commands/serve.js") },
  demo: { summary: "Run a full demo against the built-in emulator (no account needed)", load: () => import("./commands/demo.js") },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const list = Object.entries(COMMANDS)
    .map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`)
    .join("\n");
  return `codex-provider ${VERSION} — use OpenAI models with the credential you already have

Usage: codex-provider <command> [options]

Commands:
${list}

Examples:
  printenv OPENAI_API_KEY | codex-provider login --provider openai --with-api-key
  codex-provider ask "Explain SSE in one sentence"
  codex-provider chat --provider chatgpt
  codex-provider demo                     # everything against the built-in emulator

Run \`codex-provider <command> --help\` for a command's options and examples.
Settings come from flags, then env, then $CODEX_PROVIDER_HOME/config.toml
(\`codex-provider config show\` tells which). Colour only on a terminal, never with NO_COLOR.
Global: --version (-v, -V), --help, --verbose (error details). Exit codes: 0 ok, 1 failure,
2 bad usage/config/unknown model, 3 not logged in, 4 usage limit reached,
5 network/server failure, 130 Ctrl-C. A reader closing stdout early (| head) ends a
command quietly with exit 0.
`;
}

export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const target = name === "help" ? rest[0] : undefined;
    if (target && COMMANDS[target]) return main([target, "--help"], context);
    context.stdout.write(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (VERSION_ARGS.includes(name)) {
    context.stdout.write(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const suggestion = closest(name, Object.keys(COMMANDS));
    const guess = suggestion ? ` Did you mean "${suggestion}"?` : "";
    context.stderr.write(`error: unknown command "${name}".${guess}\nRun \`codex-provider --help\` for the list of commands.\n`);
    return ExitCode.usage;
  }
  const module = await entry.load();
  const { command } = module;
  if (rest.includes("--help") || rest.includes("-h")) {
    const help = "loginHelp" in module && typeof module.loginHelp === "function" ? await module.loginHelp() : command.help;
    context.stdout.write(help.endsWith("\n") ? help : `${help}\n`);
    return ExitCode.ok;
  }
  try {
    const commandContext = entry.configEnv ? await (await import("./open-provider.js")).withConfiguredUrls(context) : context;
    return await command.run(rest, commandContext);
  } catch (error) {
    context.stderr.write(`${formatError(error, rest.includes("--verbose"))}\n`);
    return exitCodeFor(error);
  }
}
