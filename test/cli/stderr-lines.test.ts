// On a terminal the spinner shares stderr with the experimental notice and retry
// notices; each notice must start its own line (the spinner is erased first), never
// continue the spinner's "waiting for …" line.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cliEnv, signIn, withCodexEmulator } from "../support/codex.js";
import { withHome } from "../support/home.js";
import { ptyUnavailable, screen, spawnCliInPty } from "./pty.js";

test("spinner, experimental notice and retry notice never share a terminal line", { skip: ptyUnavailable() }, async () => {
  await withCodexEmulator({ deltaDelayMs: 20 }, (emu, ports) =>
    withHome(async (home) => {
      await signIn(emu, home, ports);
      emu.setFault({ name: "rate_limit", times: 1, retryAfterMs: 200 });
      const pty = spawnCliInPty(["ask", "--provider", "chatgpt-codex", "hello"], { ...cliEnv(emu, home), NO_COLOR: undefined });
      try {
        assert.equal(await pty.exit, 0, screen(pty.output()));
      } finally {
        pty.kill();
      }
      const lines = screen(pty.output()).split("\n");
      const notice = lines.find((line) => line.includes("chatgpt-codex is EXPERIMENTAL"));
      const retry = lines.find((line) => /retry 1 in/.test(line));
      assert.match(notice ?? "", /^codex-provider: chatgpt-codex is EXPERIMENTAL/, lines.join("\n"));
      assert.match(retry ?? "", /^Rate limit reached.* — retry 1 in/, lines.join("\n"));
      assert.ok(!lines.some((line) => /waiting for/.test(line) && /EXPERIMENTAL|retry \d/.test(line)), lines.join("\n"));
    }),
  );
});
