// A reader that stops early (`codex-provider ask … | head -c 5`) closes our stdout, and
// the next write fails with EPIPE. Like Unix tools, the command then ends quietly: no
// stack trace, exit 0 (the reader has what it wanted). A closed stderr is treated alike.
export function endQuietlyOnClosedPipe(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
  }
}
