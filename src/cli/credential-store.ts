// The credential store as commands open it: its warnings (a too-open mode tightened)
// go to stderr, since only the CLI writes to the terminal.
import { CredentialStore } from "../auth/store/index.js";
import { stateHome } from "../config/paths.js";
import type { CliContext } from "./context.js";

export function cliStore(context: CliContext): CredentialStore {
  return new CredentialStore({ home: stateHome(context.env), onWarning: (message) => context.stderr.write(`warning: ${message}\n`) });
}
