// `codex-provider usage`: bars from the usage endpoint (docs/protocol.md#codex-models-and-usage), and the
// fallback to the x-codex-* headers of the last response saved by another process.
import assert from "node:assert/strict";
import { test } from "node:test";
import { usageBar, windowName } from "#src/cli/commands/usage.js";
import { parseWhamUsage } from "#src/providers/chatgpt-codex-usage.js";
import { createProvider } from "#src/providers/registry.js";
import { cliEnv, freePorts, signIn, withCodexEmulator } from "../support/codex.js";
import { withHome } from "../support/home.js";
import { runCli } from "../support/cli.js";

test("bars, window names by length, and wham/usage parsing", () => {
  assert.equal(usageBar(0), "░".repeat(20));
  assert.equal(usageBar(30), `${"█".repeat(6)}${"░".repeat(14)}`);
  assert.equal(usageBar(140), "█".repeat(20), "clamped");
  assert.equal(windowName(300), "5 h");
  assert.equal(windowName(10_080), "weekly");
  assert.equal(windowName(1_440), "daily");

  const now = 1_700_000_000_000;
  const snapshot = parseWhamUsage(
    {
      plan_type: "pro",
      rate_limit: {
        primary_window: { used_percent: 12.5, limit_window_seconds: 18_000, reset_after_seconds: 600 },
        secondary_window: { used_percent: 3, limit_window_seconds: 604_800, reset_at: 1_700_100_000 },
      },
      credits: { has_credits: true, unlimited: false, balance: 7 },
    },
    now,
  );
  assert.deepEqual(snapshot.primary, { usedPercent: 12.5, windowMinutes: 300, resetsAt: now + 600_000 });
  assert.deepEqual(snapshot.secondary, { usedPercent: 3, windowMinutes: 10_080, resetsAt: 1_700_100_000_000 });
  assert.equal(snapshot.planType, "pro");
  assert.deepEqual(snapshot.credits, { hasCredits: true, unlimited: false, balance: "7" });
  assert.deepEqual(parseWhamUsage({ rate_limit: { primary_window: {} } }), {}, "windows without data are dropped");
});

test("wham/usage: seconds round up to minutes, additional_rate_limits become families, rate_limit_reached_type is kept", () => {
  const now = 1_700_000_000_000;
  const snapshot = parseWhamUsage(
    {
      plan_type: "pro",
      rate_limit: { primary_window: { used_percent: 100, limit_window_seconds: 18_001, reset_at: 1_700_000_100 } },
      rate_limit_reached_type: { type: "workspace_member_usage_limit_reached" },
      additional_rate_limits: [
        { limit_name: "GPT-5.3-Codex-Spark", metered_feature: "codex_bengalfox", rate_limit: { primary_window: { used_percent: 40, limit_window_seconds: 90, reset_at: 1_700_000_200 } } },
        { limit_name: "ignored: no metered feature", rate_limit: {} },
      ],
    },
    now,
  );
  assert.equal(snapshot.primary?.windowMinutes, 301, "ceil, as Codex's window_minutes_from_seconds");
  assert.equal(snapshot.limitReachedType, "workspace_member_usage_limit_reached");
  assert.deepEqual(snapshot.families, {
    bengalfox: { primary: { usedPercent: 40, windowMinutes: 2, resetsAt: 1_700_000_200_000 }, secondary: undefined, limitName: "GPT-5.3-Codex-Spark" },
  });
});

test("usage shows both windows as bars with percent and local reset time; --json for scripts", async () => {
  await withCodexEmulator({ usageBudget: 10 }, (emu, ports) =>
    withHome(async (home) => {
      await signIn(emu, home, ports);
      const env = cliEnv(emu, home);
      for (const prompt of ["one", "two", "three"]) assert.equal((await runCli(["ask", "-p", "chatgpt-codex", "-q", prompt], { env, inherit: false })).code, 0);

      const text = await runCli(["usage", "--provider", "chatgpt-codex"], { env, inherit: false });
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^chatgpt-codex \(experimental, ChatGPT-backed\) · profile default · plan plus$/m);
      assert.match(text.stdout, /^ {2}5 h {5}█{6}░{14} {2}30% used {2}resets in 2 h 1\d min, at [^(]+\(primary\)$/m);
      assert.match(text.stdout, /^ {2}weekly {2}█{2}░{18} {3}8% used {2}resets in \d d( \d+ h)?, at .+\(secondary\)$/m);
      assert.match(text.stdout, /Source: the usage endpoint, now\./);

      const json = JSON.parse((await runCli(["usage", "--json"], { env, inherit: false })).stdout);
      assert.equal(json.source, "usage-endpoint");
      assert.equal(json.experimental, true);
      assert.equal(json.planType, "plus");
      assert.equal(json.primary.usedPercent, 30);
      assert.equal(json.primary.windowMinutes, 300);
      assert.equal(json.secondary.windowMinutes, 10080);
      assert.ok(Date.parse(json.primary.resetsAt) > Date.now());
      assert.deepEqual(
        json.additional.map((limit: { id: string; limitName: string; primary: { usedPercent: number } }) => [limit.id, limit.limitName, limit.primary.usedPercent]),
        [["bengalfox", "GPT-5.3-Codex-Spark", 0]],
        "the emulator's second metered limit, apart from the main windows",
      );

      const wrong = await runCli(["usage", "--provider", "openai"], { env, inherit: false });
      assert.equal(wrong.code, 2);
    }),
  );
});

test("usage endpoint unreachable: falls back to the last response's x-codex headers, saved by another process", async () => {
  await withCodexEmulator({}, (emu, ports) =>
    withHome(async (home) => {
      await signIn(emu, home, ports);
      const provider = createProvider({ provider: "chatgpt-codex", home, env: { CODEX_PROVIDER_AUTH_URL: emu.authUrl, CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl } });
      const result = await provider.complete({ input: "hello" });
      const used = result.rateLimits!.primary!.usedPercent;
      assert.ok(used > 0);
      // The library form of `codex-provider usage`, typed on createProvider's chatgpt-codex provider.
      const report = await provider.usage();
      assert.equal(report.source, "usage-endpoint");
      assert.equal(report.rateLimits.primary?.windowMinutes, 300);

      const [dead] = await freePorts(1);
      const env = cliEnv(emu, home, { CODEX_PROVIDER_CHATGPT_URL: `http://127.0.0.1:${dead}/backend-api` });
      const json = JSON.parse((await runCli(["usage", "--json"], { env, inherit: false })).stdout);
      assert.equal(json.source, "last-response");
      assert.equal(json.primary.usedPercent, used);
      assert.equal(json.primary.windowMinutes, 300);
      assert.match(json.fallbackReason, /Could not reach/);

      const text = await runCli(["usage"], { env, inherit: false });
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /Source: the x-codex-\* headers of the last response, at \d\d:\d\d \(the usage endpoint failed: Could not reach/);

      // Another profile has no saved snapshot: the failure is reported as it is.
      const none = await runCli(["usage", "--profile", "other"], { env, inherit: false });
      assert.equal(none.code, 3, "not signed in on that profile");
    }),
  );
});
