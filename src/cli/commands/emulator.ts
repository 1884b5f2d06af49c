import { parseFlags } from "../args.js";
import type { Command } from "../context.js";
import { ProviderError } from "../../errors.js";

export const command: Command = {
  summary: "Run the built-in emulator of OpenAI's endpoints",
  help: `Usage: codex-provider emulator [options]

Runs a local emulator of api.openai.com, auth.openai.com and the ChatGPT backend in
the foreground and prints the environment that points codex-provider at it.
Stop it with Ctrl-C.

Options:
      --port <n>     port to listen on (default: a free port)
      --host <addr>  address to bind (default: 127.0.0.1)
  -q, --quiet        no access log
      --json         print the URLs as one JSON object

Example:
  codex-provider emulator --port 8899
  # in another shell, with the printed lines exported:
  codex-provider ask "hello"
`,
  async run(args, context) {
    const { values } = parseFlags(args, {
      port: { type: "string" },
      host: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      json: { type: "boolean" },
    });
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ProviderError("config_error", `--port must be a number from 0 to 65535 (got "${values.port}").`);
    }
    const { startEmulator } = await import("../../emulator/index.js");
    let emulator;
    try {
      emulator = await startEmulator({
        port,
        host: values.host,
        log: values.quiet ? undefined : (line) => context.stderr.write(`${line}\n`),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE") throw new ProviderError("config_error", `Port ${port} is already in use.`, { hint: "Pick another with --port, or omit it for a free port." });
      throw error;
    }
    const env = {
      CODEX_PROVIDER_API_URL: emulator.apiUrl,
      CODEX_PROVIDER_AUTH_URL: emulator.authUrl,
      CODEX_PROVIDER_CHATGPT_URL: emulator.chatgptUrl,
      // The emulator's own made-up key: printing it is safe and needed to use it.
      OPENAI_API_KEY: emulator.apiKey,
    };
    // Listening before the ready line goes out: a signal sent on seeing it must find a handler, not the default (die).
    const stopped = new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    if (values.json) {
      context.stdout.write(`${JSON.stringify({ url: emulator.url, ...env })}\n`);
    } else {
      context.stdout.write(`Emulator listening on ${emulator.url}\n\n`);
      for (const [name, value] of Object.entries(env)) context.stdout.write(`export ${name}=${value}\n`);
      context.stdout.write(`\nPress Ctrl-C to stop.\n`);
    }
    await stopped;
    await emulator.close();
    return 0;
  },
};
