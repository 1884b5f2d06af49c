// The stderr spinner: only on a terminal, no colour without colour, erased when the
// first token arrives; piped or redirected stderr never sees it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startSpinner, type Repeat } from "#src/cli/spinner.js";
import { StderrWriter } from "#src/cli/stderr.js";
import { withEmulator } from "../support/emulator.js";
import { runCli } from "../support/cli.js";
import { sink } from "../support/in-process-cli.js";

const FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

/** A Repeat the test steps by hand: `ticks()` draws one frame; `cancelled` after stop(). */
function manualRepeat() {
  const state = { tick: undefined as (() => void) | undefined, interval: 0, cancelled: false };
  const repeat: Repeat = (tick, ms) => {
    state.tick = tick;
    state.interval = ms;
    return () => void (state.cancelled = true);
  };
  return { repeat, state, ticks: (n: number) => { for (let i = 0; i < n; i++) state.tick?.(); } };
}

describe("spinner", () => {
  it("writes nothing when stderr is not a terminal", () => {
    const err = sink();
    const timer = manualRepeat();
    const spinner = startSpinner({ stderr: new StderrWriter(err.stream), stderrIsTTY: false, color: true }, "waiting", timer.repeat);
    assert.equal(timer.state.tick, undefined, "no timer at all");
    spinner.stop();
    assert.equal(err.text(), "");
  });

  it("animates on a terminal, without colour codes when colour is off, and erases itself", () => {
    const err = sink();
    const timer = manualRepeat();
    const spinner = startSpinner({ stderr: new StderrWriter(err.stream), stderrIsTTY: true, color: false }, "waiting", timer.repeat);
    assert.equal(timer.state.interval, 80);
    timer.ticks(2);
    spinner.stop();
    spinner.stop();
    assert.ok(timer.state.cancelled, "the timer is cancelled at stop");
    const frames = err.text().split("\r\x1b[K").filter(Boolean);
    assert.deepEqual(frames, ["⠋ waiting", "⠙ waiting", "⠹ waiting"], "the first frame at once, then one per tick");
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
