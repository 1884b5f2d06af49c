#!/usr/bin/env node
// `--version` is answered before loading the CLI, so it costs no more than starting Node.
const args = process.argv.slice(2);
if (args.length === 1 && ["--version", "-v", "-V", "version"].includes(args[0])) {
  const { VERSION } = await import("../dist/version.js");
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import("../dist/bundle/cli/main.js");
  process.exitCode = await main(args).catch((error) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  });
}
