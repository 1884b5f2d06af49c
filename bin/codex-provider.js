#!/usr/bin/env node
// `--version` is answered before loading the CLI, so it costs no more than starting Node.
const args = process.argv.slice(2);
if (args.length === 1 && ["--version", "-v", "-V", "version"].includes(args[0])) {
  const { VERSION } = await import("../dist/version.js");
  process.stdout.write(`${VERSION}\n`);
} else {
  // Node 22.1+ keeps V8's compiled code for the CLI's modules (under os.tmpdir(), or
  // NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), as TypeScript's tsc
  // does: ~17 ms off a command's ~55 ms start on Node 24. Absent on Node 20. The library
  // never does this: only the CLI decides for its own process.
  const { enableCompileCache } = await import("node:module");
  try {
    enableCompileCache?.();
  } catch {
    // Documented never to throw; an optimisation must not stop the command if it does.
  }
  const { main } = await import("../dist/bundle/cli/main.js");
  process.exitCode = await main(args).catch((error) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  });
}
