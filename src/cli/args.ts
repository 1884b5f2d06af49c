// Flag parsing on node:util parseArgs; bad flags become a usage error (exit 2).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ProviderError } from "../errors.js";
import { registerSecret } from "../redact.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command that talks to a provider accepts. */
export const COMMON_FLAGS = {
  provider: { type: "string", short: "p" },
  profile: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean" },
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
    throw new ProviderError("config_error", message, { hint: "Run the command with --help to see its options." });
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

export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
