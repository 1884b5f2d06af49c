// The stderr spinner: only on a terminal, no colour without colour, erased when the
// first token arrives; piped or redirected stderr never sees it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startSpinner } from "#src/cli/spinner.js";
import { StderrWriter } from "#src/cli/stderr.js";
import { withEmulator } from "../transport/helpers.js";
import { runCli } from "./run-cli.js";
import { sink } from "../config/helpers.js";

const FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

describe("spinner", () => {
  it("writes nothing when stderr is not a terminal", async () => {
    const err = sink();
    const spinner = startSpinner({ stderr: new StderrWriter(err.stream), stderrIsTTY: false, color: true }, "waiting");
    await new Promise((resolve) => setTimeout(resolve, 200));
    spinner.stop();
    assert.equal(err.text(), "");
  });

  it("animates on a terminal, without colour codes when colour is off, and erases itself", async () => {
    const err = sink();
    const spinner = startSpinner({ stderr: new StderrWriter(err.stream), stderrIsTTY: true, color: false }, "waiting");
    await new Promise((resolve) => setTimeout(resolve, 200));
    spinner.stop();
    spinner.stop();
    const frames = err.text().split("\r\x1b[K").filter(Boolean);
    assert.ok(frames.length >= 2, "several frames");
    for (const frame of frames) assert.match(frame, new RegExp(`^${FRAME.source} waiting$`));
    assert.ok(err.text().endsWith("\r\x1b[K"), "the line is erased at stop");
    assert.doesNotMatch(err.text(), /\x1b\[\d+m/, "no SGR colour codes");
  });

  it("uses colour only when the context allows it", () => {
    const err = sink();
    startSpinner({ stderr: new StderrWriter(err.stream), stderrIsTTY: true, color: true }, "waiting").stop();
    assert.match(err.text(), /\x1b\[36m/);
  });

  it("ask with piped stderr shows no spinner", async () => {
    await withEmulator({ deltaDelayMs: 20 }, async (emu) => {
      const run = await runCli(["ask", "hello"], { env: { CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey, OPENAI_BASE_URL: undefined, CODEX_PROVIDER_PROVIDER: undefined } });
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, FRAME);
      assert.ok(!run.stderr.includes("\r"), "no carriage returns");
    });
  });
});
