// What every command gets: streams, env and terminal facts, injectable for tests.
import type { Env } from "../config/paths.js";
import { endQuietlyOnClosedPipe } from "./closed-pipe.js";
import { StderrWriter } from "./stderr.js";

export interface CliContext {
  stdout: NodeJS.WritableStream;
  /** Every stderr line goes through this writer, so the spinner is erased first. */
  stderr: StderrWriter;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Env;
  /** stderr is a terminal and NO_COLOR is unset: colour and spinners allowed. */
  color: boolean;
  stderrIsTTY: boolean;
}

export function processContext(): CliContext {
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  endQuietlyOnClosedPipe(process.stdout, process.stderr);
  return {
    stdout: process.stdout,
    stderr: new StderrWriter(process.stderr),
    stdin: process.stdin,
    env: process.env,
    stderrIsTTY,
    color: stderrIsTTY && !process.env.NO_COLOR,
  };
}

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Full help text, with flags and examples. */
  help: string;
  run(args: string[], context: CliContext): Promise<number>;
}
