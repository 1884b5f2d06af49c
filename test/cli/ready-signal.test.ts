// A supervisor (systemd, a script, a test) stops `serve` or `emulator` as soon as it sees
// the ready line: the signal must reach the handler that closes it cleanly (exit 0),
// not the default action that kills it. Printed before the handlers were installed, the
// ready line lost that race 25–27 times in 30.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { it } from "node:test";
import { BIN } from "../support/cli.js";
import { withHome } from "../support/home.js";

async function stopAtReadyLine(command: string, home: string, signal: NodeJS.Signals): Promise<number | null> {
  const env = { PATH: process.env.PATH ?? "", HOME: home, CODEX_PROVIDER_HOME: home, OPENAI_API_KEY: "sk-proj-ready-line-0123456789abcdef", NO_COLOR: "1" };
  const child = spawn(process.execPath, [BIN, command, "--port", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.once("data", () => child.kill(signal));
  const [code] = (await once(child, "close")) as [number | null];
  return code;
}

for (const command of ["serve", "emulator"]) {
  it(`${command} exits cleanly on a signal sent the moment its ready line appears`, () =>
    withHome(async (home) => {
      for (const signal of ["SIGINT", "SIGTERM", "SIGINT", "SIGTERM", "SIGINT"] as const) {
        assert.equal(await stopAtReadyLine(command, home, signal), 0, `${command} stopped by ${signal}`);
      }
    }));
}
