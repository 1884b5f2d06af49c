// A fallback chain (chatgpt-codex → openai) against the emulator, signed in through the real
// browser flow: a usage limit before content moves the whole request on (with the model map),
// announced by a `fallback` event and notice; the exhausted window is remembered (memory and
// fallback-windows.json, 0600) and skipped without a request; content already delivered,
// throttling and auth errors never switch.
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { Emulator } from "#src/emulator/index.js";
import { ProviderError } from "#src/errors.js";
import type { Notice } from "#src/notice.js";
import { createProvider } from "#src/providers/registry.js";
import { WINDOWS_FILE } from "#src/providers/exhausted-windows.js";
import type { StreamEvent } from "#src/types.js";
import { signIn, withCodexEmulator } from "../support/codex.js";
import { withHome } from "../support/home.js";

const backend = (emu: Emulator) => emu.requests.filter((r) => r.path === "/backend-api/codex/responses");
const platform = (emu: Emulator) => emu.requests.filter((r) => r.path === "/v1/responses");

function chain(emu: Emulator, home: string, notices: Notice[] = []) {
  return createProvider({
    fallback: ["chatgpt-codex", { provider: "openai", modelMap: { "gpt-5.5": "gpt-5.4" } }],
    home,
    env: { CODEX_PROVIDER_AUTH_URL: emu.authUrl, CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl, CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey },
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 2 },
    onNotice: (notice) => notices.push(notice),
  });
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** A signed-in home over a Codex-enabled emulator. */
function signedIn(fn: (emu: Emulator, home: string) => Promise<void>): Promise<void> {
  return withCodexEmulator({}, (emu, ports) => withHome(async (home) => {
    await signIn(emu, home, ports);
    await fn(emu, home);
  }));
}

test("a usage limit moves the whole request to the next entry, announced; the exhausted window is then skipped without a request", async () => {
  await signedIn(async (emu, home) => {
    const notices: Notice[] = [];
    emu.setFault({ name: "usage_limit" });
    const before = Date.now();
    const events = await collect(chain(emu, home, notices).stream({ model: "gpt-5.5", input: "hi" }));

    const fallback = events.find((e) => e.type === "fallback");
    assert.ok(fallback && fallback.type === "fallback", "a fallback event");
    assert.equal(fallback.from, "chatgpt-codex");
    assert.equal(fallback.to, "openai");
    assert.equal(fallback.reason, "usage_limit_reached");
    assert.equal(fallback.model, "gpt-5.4");
    assert.ok(fallback.resetsAt! > before, "the reset time from the 429");
    assert.ok(events.indexOf(fallback) < events.findIndex((e) => e.type === "text_delta"), "announced before any content");
    const done = events.at(-1);
    assert.ok(done?.type === "done" && done.result.text.includes("hi"));
    assert.equal(backend(emu).length, 1, "the limit is not retried");
    assert.equal(platform(emu).length, 1);
    assert.equal((platform(emu)[0].body as { model: string }).model, "gpt-5.4", "model name through the entry's map");
    const notice = notices.find((n) => n.code === "fallback");
    assert.match(notice?.message ?? "", /^usage limit reached on chatgpt-codex \(resets in .+\); continuing on openai with gpt-5\.4\.$/);

    // Remembered on disk, owner-only, for the next process.
    assert.equal((await stat(join(home, WINDOWS_FILE))).mode & 0o777, 0o600);

    const second = await collect(chain(emu, home).stream({ model: "gpt-5.5", input: "again" }));
    assert.equal(backend(emu).length, 1, "exhausted entry skipped without a request");
    assert.equal(platform(emu).length, 2);
    const skipped = second.find((e) => e.type === "fallback");
    assert.ok(skipped?.type === "fallback" && skipped.reason === "exhausted" && skipped.resetsAt === fallback.resetsAt);
  });
});

test("a usage limit after content reached the caller is an error, not a switch", async () => {
  await signedIn(async (emu, home) => {
    emu.setFault({ name: "failed", code: "usage_limit_reached", after: 2 });
    const seen: StreamEvent["type"][] = [];
    await assert.rejects(
      (async () => {
        for await (const event of chain(emu, home).stream({ model: "gpt-5.5", input: "hi" })) seen.push(event.type);
      })(),
      (error: ProviderError) => error.code === "usage_limit_reached",
    );
    assert.ok(seen.includes("text_delta"), "content arrived first");
    assert.ok(!seen.includes("fallback"));
    assert.equal(platform(emu).length, 0, "never re-sent");
  });
});

test("throttling is retried on the same entry, and an auth error stays an error", async () => {
  await signedIn(async (emu, home) => {
    emu.setFault({ name: "rate_limit" });
    const events = await collect(chain(emu, home).stream({ model: "gpt-5.5", input: "hi" }));
    assert.ok(!events.some((e) => e.type === "fallback"));
    assert.equal(backend(emu).length, 2, "one 429, one retry");
    assert.equal(platform(emu).length, 0);

    // Two 401s: the one refresh-and-retry does not help, so the credential is rejected.
    emu.setFault({ name: "status", status: 401, times: 2 });
    await assert.rejects(chain(emu, home).complete({ model: "gpt-5.5", input: "x" }), (error: ProviderError) => error.code === "invalid_credentials");
    assert.equal(platform(emu).length, 0, "no switch on an auth error");
  });
});

test("entries are validated: provider:profile, no duplicates, a bounded list", () => {
  assert.throws(() => createProvider({ fallback: ["openai", "openai"] }), /listed twice/);
  assert.throws(() => createProvider({ fallback: ["chatgpt:"] }), /provider:profile/);
  assert.throws(() => createProvider({ fallback: [] }), /1 to 8 entries/);
  assert.throws(() => createProvider({ fallback: ["nope"] }), /Unknown provider "nope"/);
});

test("a chain aborted before its first member opened aborts that member: no request leaves", async () => {
  await signedIn(async (emu, home) => {
    // What the local server does when its client goes away: abort the stream, not a signal.
    const stream = chain(emu, home).stream({ model: "gpt-5.5", input: "hi" });
    stream.abort();
    await assert.rejects(collect(stream), (error: unknown) => error instanceof ProviderError && error.code === "aborted");
    assert.equal(backend(emu).length + platform(emu).length, 0);
  });
});
