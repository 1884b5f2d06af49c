// In-process CLI runs for config and CLI tests (no child process: these are many and quick),
// plus scratch homes holding a config.toml.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { main } from "#src/cli/main.js";
import type { CliContext } from "#src/cli/context.js";
import { withHome } from "./home.js";
import { StderrWriter } from "#src/cli/stderr.js";

export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A writable that keeps what it is given, for asserting on CLI output. */
export function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

export async function runMain(args: string[], env: Record<string, string | undefined>): Promise<MainRun> {
  const out = sink();
  const err = sink();
  const context: CliContext = { stdout: out.stream, stderr: new StderrWriter(err.stream), stdin: Readable.from([]), env, color: false, stderrIsTTY: false };
  const code = await main(args, context);
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A scratch CODEX_PROVIDER_HOME with `config` as its config.toml (none when undefined). */
export function withConfig<T>(config: string | undefined, fn: (home: string, file: string) => Promise<T>): Promise<T> {
  return withHome(async (home) => {
    const file = join(home, "config.toml");
    if (config !== undefined) await writeFile(file, config);
    return fn(home, file);
  });
}
