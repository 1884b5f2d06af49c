// Ctrl-C during any sign-in (browser or device code): the flow is aborted (callback
// listener closed, polling stopped), nothing is saved, and the command says so in one
// line and exits 130, the shell's status for an interrupted command.
import type { CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";

export async function cancellableSignIn(context: CliContext, run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once("SIGINT", onSigint);
  try {
    return await run(controller.signal);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    context.stderr.write("Sign-in cancelled; nothing was saved.\n");
    return ExitCode.interrupted;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
