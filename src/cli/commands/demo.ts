import { parseFlags } from "../args.js";
import type { CliContext, Command } from "../context.js";
import { style } from "../format.js";

export const command: Command = {
  summary: "Run a full demo against the built-in emulator (no account needed)",
  help: `Usage: codex-provider demo [options]

Starts the built-in emulator on a free loopback port, points codex-provider at it
and streams an answer with the \`openai\` (API key) provider, token by token, with
usage on stderr. Nothing leaves this machine.

Options:
      --prompt <text>   what to ask (default: a short question)
      --delay <ms>      delay between streamed tokens (default 40, to watch it stream)
`,
  async run(args, context) {
    const { values } = parseFlags(args, { prompt: { type: "string" }, delay: { type: "string" } });
    const s = style(context.color);
    const { startEmulator } = await import("../../emulator/index.js");
    const { main } = await import("../main.js");
    const emulator = await startEmulator({ deltaDelayMs: Number(values.delay ?? 40) });
    try {
      const env = {
        ...context.env,
        CODEX_PROVIDER_API_URL: emulator.apiUrl,
        CODEX_PROVIDER_AUTH_URL: emulator.authUrl,
        CODEX_PROVIDER_CHATGPT_URL: emulator.chatgptUrl,
        OPENAI_API_KEY: emulator.apiKey,
      };
      const sub: CliContext = { ...context, env };
      const prompt = values.prompt ?? "What does codex-provider do?";
      context.stderr.write(s.bold(`Emulator running at ${emulator.url} (api ${emulator.apiUrl})\n`));
      context.stderr.write(s.cyan(`$ codex-provider ask --provider openai "${prompt}"\n`));
      const code = await main(["ask", "--provider", "openai", prompt], sub);
      if (code !== 0) return code;
      context.stderr.write(s.cyan(`\n$ codex-provider models --provider openai\n`));
      return await main(["models", "--provider", "openai"], sub);
    } finally {
      await emulator.close();
    }
  },
};
