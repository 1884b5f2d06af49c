// Flag parsing on node:util parseArgs; bad flags become a usage error (exit 2).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ProviderError } from "../errors.js";
import { registerSecret } from "../redact.js";
import { closest } from "./suggest.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command that talks to a provider accepts. */
export const COMMON_FLAGS = {
  provider: { type: "string", short: "p" },
  profile: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean" },
  // A setting flag every networked command takes (see SETTINGS.proxy).
  proxy: { type: "string" },
} as const satisfies Options;

export function parseFlags<T extends Options>(
  args: string[],
  options: T,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, ".") : String(error);
    const unknown = /^Unknown option '(--?[^'=]+)/.exec(message)?.[1];
    const flags = Object.entries(options).flatMap(([name, option]) => [`--${name}`, ...(option.short ? [`-${option.short}`] : [])]);
    const suggestion = unknown && closest(unknown, flags);
    const help = "Run the command with --help to see its options.";
    throw new ProviderError("config_error", message, { hint: suggestion ? `Did you mean ${suggestion}? ${help}` : help });
  }
}

/**
 * A secret piped on stdin (never argv, so it stays out of shell history and process
 * lists). A terminal is refused rather than echoing the secret as it is typed.
 */
export async function readSecretFromStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean }, what: string, example: string): Promise<string> {
  if (stdin.isTTY) {
    throw new ProviderError("config_error", `Refusing to read ${what} from a terminal; pipe it on stdin instead.`, { hint: example });
  }
  const secret = (await readStdin(stdin)).trim();
  if (!secret) throw new ProviderError("config_error", `No ${what.replace(/^an? /, "")} on stdin.`, { hint: example });
  registerSecret(secret);
  return secret;
}

/** Far above any prompt a model accepts; a bigger stdin is refused rather than held in memory. */
const STDIN_LIMIT_BYTES = 16 * 1024 * 1024;

export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > STDIN_LIMIT_BYTES) throw new ProviderError("config_error", `stdin is larger than ${STDIN_LIMIT_BYTES / 1024 / 1024} MiB; send less.`);
    chunks.push(buffer);
  }
  return decodeUtf8(Buffer.concat(chunks));
}

/**
 * Strict UTF-8: Buffer#toString would turn invalid bytes into U+FFFD and send a
 * mangled prompt (or secret) without a word.
 */
function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ProviderError("config_error", "stdin is not UTF-8 text; nothing was sent.", {
      hint: "Convert it first, e.g. iconv -f latin1 -t utf-8 file.txt | codex-provider ask …",
    });
  }
}
