// The credential store as commands open it: its notices (a too-open mode tightened)
// go to stderr through the CLI's notice printer, since only the CLI writes to the terminal.
import { CredentialStore } from "../auth/store/index.js";
import { stateHome } from "../config/paths.js";
import type { CliContext } from "./context.js";
import { noticePrinter } from "./open-provider.js";

export function cliStore(context: CliContext): CredentialStore {
  return new CredentialStore({ home: stateHome(context.env), onNotice: noticePrinter(context, { quiet: false, experimentalNotice: false }) });
}
