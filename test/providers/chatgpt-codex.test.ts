// The chatgpt-codex provider against the emulator's ChatGPT backend: wire shape
// (docs/protocol.md#codex-headers to docs/protocol.md#codex-rejected-fields), stateless multi-turn with
// encrypted reasoning, refresh on 401 at the Codex token endpoint, usage-limit classification, and the model
// catalog.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Emulator } from "#src/emulator/index.js";
import { exitCodeFor } from "#src/cli/exit-codes.js";
import { ProviderError } from "#src/errors.js";
import { CODEX_DEFAULT_INSTRUCTIONS, FALLBACK_MODELS, type CodexProvider } from "#src/providers/chatgpt-codex.js";
import { createProvider, type CreateProviderOptions } from "#src/providers/registry.js";
import type { InputItem, StreamEvent } from "#src/types.js";
import { freePorts, signIn, storedCodexCredential, withCodexEmulator } from "../support/codex.js";
import { withHome } from "../support/home.js";

function codexProvider(emu: Emulator, home: string, options: CreateProviderOptions = {}): CodexProvider {
  return createProvider({
    provider: "chatgpt-codex",
    home,
    env: { CODEX_PROVIDER_AUTH_URL: emu.authUrl, CODEX_PROVIDER_CHATGPT_URL: emu.chatgptUrl },
    retry: { baseDelayMs: 1, maxRetries: 2 },
    ...options,
  }) as CodexProvider;
}

function backendCalls(emu: Emulator) {
  return emu.requests.filter((r) => r.path === "/backend-api/codex/responses");
}

/** Signed in through the real browser flow, with a provider over the same home. */
async function withSignedIn(
  fn: (emu: Emulator, home: string) => Promise<void>,
  emulatorOptions: Parameters<typeof withCodexEmulator>[0] = {},
): Promise<void> {
  await withCodexEmulator(emulatorOptions, (emu, ports) => withHome(async (home) => {
    await signIn(emu, home, ports);
    await fn(emu, home);
  }));
}

test("headers and body match docs/protocol.md#codex-headers and docs/protocol.md#codex-body", async () => {
  await withSignedIn(async (emu, home) => {
    const provider = codexProvider(emu, home);
    const result = await provider.complete({ input: "Say hello", reasoning: { effort: "medium" }, text: { verbosity: "low" } });
    assert.ok(result.text.length > 0);
    const [call] = backendCalls(emu);
    const stored = await storedCodexCredential(home);
    assert.equal(stored?.type, "oauth");
    if (stored?.type !== "oauth") return;

    const h = call.headers;
    assert.equal(h.authorization, `Bearer ${stored.accessToken}`);
    assert.equal(h["chatgpt-account-id"], emu.auth.user.accountId);
    assert.equal(h.originator, "codex-provider");
    assert.match(h["user-agent"], /^codex-provider\/\d+\.\d+\.\d+ \(\S+ \S+; \S+\)$/);
    assert.match(h["session-id"], /^[0-9a-f-]{36}$/);
    assert.equal(h["x-client-request-id"], h["session-id"]);
    assert.equal(h.accept, "text/event-stream");
    assert.equal(h["content-type"], "application/json");
    assert.equal(h["x-openai-fedramp"], undefined, "only for FedRAMP accounts");
    for (const internal of ["version", "thread-id", "x-codex-turn-metadata", "x-codex-window-id", "session_id", "conversation_id"]) {
      assert.equal(h[internal], undefined, `${internal} is not sent`);
    }

    const body = call.body as Record<string, unknown>;
    assert.equal(body.model, "gpt-5.5");
    assert.equal(body.instructions, CODEX_DEFAULT_INSTRUCTIONS, "never absent or empty");
    assert.equal(body.store, false);
    assert.equal(body.stream, true);
    assert.deepEqual(body.include, ["reasoning.encrypted_content"]);
    assert.equal(body.prompt_cache_key, h["session-id"], "cache key = session id");
    assert.deepEqual(body.reasoning, { effort: "medium", summary: "auto" });
    assert.deepEqual(body.text, { verbosity: "low" });
    assert.deepEqual(body.input, [{ type: "message", role: "user", content: [{ type: "input_text", text: "Say hello" }] }]);
    for (const rejected of ["max_output_tokens", "temperature", "top_p", "previous_response_id"]) assert.equal(body[rejected], undefined);

    // A second turn of the same provider keeps the session, so the prompt cache hits.
    await provider.complete({ input: "Again", instructions: "Be brief." });
    const second = backendCalls(emu)[1];
    assert.equal(second.headers["session-id"], h["session-id"]);
    assert.equal((second.body as Record<string, unknown>).prompt_cache_key, h["session-id"]);
    assert.equal((second.body as Record<string, unknown>).instructions, "Be brief.");
  });
});

test("fields the backend rejects fail with unsupported_parameter before any request", async () => {
  await withSignedIn(async (emu, home) => {
    const provider = codexProvider(emu, home);
    const cases: Array<[string, Parameters<CodexProvider["complete"]>[0]]> = [
      ["max_output_tokens", { input: "x", maxOutputTokens: 100 }],
      ["temperature", { input: "x", temperature: 0.2 }],
      ["top_p", { input: "x", topP: 0.5 }],
      ["previous_response_id", { input: "x", previousResponseId: "resp_1" }],
      ["store", { input: "x", store: true }],
      ["prompt_cache_retention", { input: "x", extraBody: { prompt_cache_retention: "24h" } }],
    ];
    for (const [param, request] of cases) {
      await assert.rejects(
        async () => provider.complete(request),
        (error: ProviderError) => error.code === "unsupported_parameter" && error.param === param && exitCodeFor(error) === 2,
        param,
      );
    }
    assert.equal(backendCalls(emu).length, 0);
    // System messages become developer messages (system-role items are rejected).
    await provider.complete({ input: [{ type: "message", role: "system", content: "Be terse." }, { type: "message", role: "user", content: "hi" }] });
    const input = (backendCalls(emu)[0].body as { input: Array<{ role: string }> }).input;
    assert.deepEqual(input.map((item) => item.role), ["developer", "user"]);
  });
});

test("encrypted reasoning is carried across turns and the backend acknowledges it", async () => {
  await withSignedIn(async (emu, home) => {
    const provider = codexProvider(emu, home);
    const first = await provider.complete({ input: "Plan a trip", reasoning: { effort: "low" } });
    const reasoning = first.output.find((item) => item.type === "reasoning");
    assert.ok(reasoning, "a reasoning item came back");
    assert.equal(typeof reasoning.encrypted_content, "string");

    const history: InputItem[] = [
      { type: "message", role: "user", content: "Plan a trip" },
      ...first.output.map((item): InputItem => ({ type: "raw", item })),
      { type: "message", role: "user", content: "And the budget?" },
    ];
    const second = await provider.complete({ input: history, reasoning: { effort: "low" } });
    const sent = (backendCalls(emu)[1].body as { input: Array<Record<string, unknown>> }).input;
    const replayed = sent.find((item) => item.type === "reasoning");
    assert.ok(replayed, "the reasoning item is in the next request");
    assert.equal(replayed.encrypted_content, reasoning.encrypted_content, "encrypted content kept verbatim");
    assert.equal(replayed.id, undefined, "server ids are stripped (nothing is stored with store:false)");
    assert.match(second.text, /continuing from 1 reasoning item/);
  });
});

test("a 401 refreshes once at the Codex token endpoint (JSON, Codex client id) and the request succeeds", async () => {
  await withSignedIn(async (emu, home) => {
    const before = await storedCodexCredential(home);
    const signInRequests = emu.requests.length;
    emu.auth.expireAccessTokens();
    const provider = codexProvider(emu, home);
    const result = await provider.complete({ input: "hello after expiry" });
    assert.ok(result.text.length > 0);
    assert.equal(emu.auth.stats.refreshes, 1);
    const trail = emu.requests.slice(signInRequests).filter((r) => r.path.includes("/codex/responses") || r.path === "/auth/oauth/token").map((r) => `${r.path} ${r.status}`);
    assert.deepEqual(trail, ["/backend-api/codex/responses 401", "/auth/oauth/token 200", "/backend-api/codex/responses 200"]);
    const tokenCall = emu.requests.slice(signInRequests).find((r) => r.path === "/auth/oauth/token");
    assert.equal(tokenCall?.headers["content-type"], "application/json");
    assert.equal(tokenCall?.headers.originator, "codex-provider");
    const after = await storedCodexCredential(home);
    assert.ok(before?.type === "oauth" && after?.type === "oauth");
    assert.notEqual(after.refreshToken, before.refreshToken, "the rotated refresh token is saved");
    assert.notEqual(after.accessToken, before.accessToken);
  });
});

test("a reused refresh token is terminal: refresh_token_reused, exit code 3, recorded so later calls fail fast", async () => {
  await withSignedIn(async (emu, home) => {
    emu.auth.expireAccessTokens();
    emu.auth.controls = {
      authorize: "approve",
      failNextTokenRequests: {
        count: 1,
        status: 401,
        body: { error: { code: "refresh_token_reused", message: "Your refresh token has already been used to generate a new access token. Please try signing in again." } },
      },
    };
    const provider = codexProvider(emu, home);
    await assert.rejects(provider.complete({ input: "x" }), (error: ProviderError) => error.code === "refresh_token_reused" && exitCodeFor(error) === 3);
    const stored = await storedCodexCredential(home);
    assert.equal(stored?.type === "oauth" && stored.refreshFailure?.code, "refresh_token_reused");
    const refreshes = emu.auth.stats.refreshes;
    await assert.rejects(codexProvider(emu, home).complete({ input: "x" }), (error: ProviderError) => error.code === "refresh_token_reused");
    assert.equal(emu.auth.stats.refreshes, refreshes, "no second refresh attempt");
  });
});

test("usage_limit_reached: terminal, one request, plan and reset time, exit code 4", async () => {
  await withSignedIn(async (emu, home) => {
    const provider = codexProvider(emu, home, { headers: { "x-emulator-fault": "usage_limit" } });
    const before = Date.now();
    await assert.rejects(provider.complete({ input: "x" }), (error: ProviderError) => {
      assert.equal(error.code, "usage_limit_reached");
      assert.equal(error.retryable, false);
      assert.equal(error.status, 429);
      assert.equal(error.planType, "plus");
      assert.ok(error.resetsAt! > before + 8000 * 1000 && error.resetsAt! < before + 8100 * 1000, "resets_at from the body");
      assert.equal(error.rateLimits?.primary?.usedPercent, 100, "x-codex headers of the 429 are kept");
      assert.equal(exitCodeFor(error), 4);
      return true;
    });
    assert.equal(backendCalls(emu).length, 1, "never retried");
  });
});

test("usage_not_included (plan without Codex) is terminal with exit code 4, whatever the status", async () => {
  await withSignedIn(async (emu, home) => {
    const provider = codexProvider(emu, home, { headers: { "x-emulator-fault": "status;status=404;code=usage_not_included;message=not included" } });
    await assert.rejects(provider.complete({ input: "x" }), (error: ProviderError) => error.code === "usage_not_included" && exitCodeFor(error) === 4 && /upgrade to Plus/.test(error.message));
    assert.equal(backendCalls(emu).length, 1);
  });
});

test("x-codex-* headers become the result's rate-limit snapshot and move with use", async () => {
  await withSignedIn(async (emu, home) => {
    const provider = codexProvider(emu, home);
    const first = await provider.complete({ input: "one" });
    const second = await provider.complete({ input: "two" });
    assert.equal(first.rateLimits?.primary?.windowMinutes, 300);
    assert.equal(first.rateLimits?.secondary?.windowMinutes, 10080);
    assert.equal(first.rateLimits?.planType, "plus");
    assert.ok(second.rateLimits!.primary!.usedPercent > first.rateLimits!.primary!.usedPercent);
  });
});

test("the in-band codex.rate_limits event that opens the stream is read, not taken for output", async () => {
  await withSignedIn(async (emu, home) => {
    const stream = codexProvider(emu, home).stream({ input: "limits" });
    const types: string[] = [];
    let inBand: StreamEvent | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "rate_limits") inBand ??= event;
    }
    const result = await stream.result();
    assert.ok(types.indexOf("rate_limits") < types.indexOf("created"), types.join(", "));
    assert.ok(inBand?.type === "rate_limits");
    assert.equal(inBand.rateLimits.primary?.windowMinutes, 300);
    assert.equal(inBand.rateLimits.planType, "plus");
    assert.equal(result.rateLimits?.primary?.usedPercent, inBand.rateLimits.primary?.usedPercent);
    assert.equal(result.text, 'Hello from the emulator. You asked: "limits"');
  });
});

test("models come from /codex/models (client_version, JSON accept); hidden models are left out", async () => {
  await withSignedIn(async (emu, home) => {
    const models = await codexProvider(emu, home).listModels();
    const ids = models.map((m) => m.id);
    assert.ok(ids.includes("gpt-5.5") && ids.includes("gpt-5.3-codex"));
    assert.ok(!ids.includes("codex-auto-review"), "visibility hide is not listed");
    const call = emu.requests.find((r) => r.path.startsWith("/backend-api/codex/models"));
    assert.match(call!.path, /\?client_version=0\.169\.0$/);
    assert.equal(call!.headers.accept, "application/json");
    assert.equal(call!.headers["chatgpt-account-id"], emu.auth.user.accountId);
  });
});

test("models fall back to the documented built-in list, with a warning, when the catalog is unreachable", async () => {
  await withSignedIn(async (emu, home) => {
    const [dead] = await freePorts(1);
    const warnings: string[] = [];
    const provider = codexProvider(emu, home, { baseUrl: `http://127.0.0.1:${dead}/backend-api`, onNotice: (n) => n.code === "warning" && warnings.push(n.message) });
    const models = await provider.listModels();
    assert.deepEqual(models.map((m) => m.id), FALLBACK_MODELS.map((m) => m.id));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /built-in list, which may be out of date/);
  });
});

test("not signed in: login_required (exit 3) naming the login command, without a network call", async () => {
  await withCodexEmulator({}, (emu) => withHome(async (home) => {
    await assert.rejects(codexProvider(emu, home, { profile: "work" }).complete({ input: "x" }), (error: ProviderError) => {
      assert.equal(error.code, "login_required");
      assert.equal(exitCodeFor(error), 3);
      assert.match(error.hint!, /codex-provider login --provider chatgpt-codex --profile work/);
      assert.match(error.hint!, /CODEX_ACCESS_TOKEN/);
      return true;
    });
    assert.equal(emu.requests.length, 0);
  }));
});

test("base URL forms …/backend-api, …/codex and …/codex/responses reach the same endpoint", async () => {
  await withSignedIn(async (emu, home) => {
    for (const base of [emu.chatgptUrl, `${emu.chatgptUrl}/codex`, `${emu.chatgptUrl}/codex/responses/`]) {
      await codexProvider(emu, home, { baseUrl: base }).complete({ input: "x" });
    }
    assert.equal(backendCalls(emu).length, 3);
  });
});

test("a caller's prompt_cache_key carries its session headers, on built and forwarded bodies alike", async () => {
  await withSignedIn(async (emu, home) => {
    const provider = codexProvider(emu, home);
    await provider.complete({ input: "hi", promptCacheKey: "conversation-42" });
    await provider.streamBody({ model: "gpt-5.5", input: [{ role: "user", content: "hi" }], prompt_cache_key: "conversation-43" }).result();
    const [built, forwarded] = backendCalls(emu);
    assert.equal((built.body as Record<string, unknown>).prompt_cache_key, "conversation-42");
    assert.equal(built.headers["session-id"], "conversation-42");
    assert.equal(built.headers["x-client-request-id"], "conversation-42");
    assert.equal(forwarded.headers["session-id"], "conversation-43");
  });
});

test("per-call headers reach the backend next to the session headers a body implies, and win over them", async () => {
  await withSignedIn(async (emu, home) => {
    const provider = codexProvider(emu, home);
    await provider.complete({ input: "hi", promptCacheKey: "conversation-44" }, { headers: { "x-trace-id": "trace-1" } });
    await provider.stream({ input: "hi", promptCacheKey: "conversation-45" }, { headers: { "x-client-request-id": "mine" } }).result();
    const [first, second] = backendCalls(emu);
    assert.equal(first.headers["x-trace-id"], "trace-1");
    assert.equal(first.headers["session-id"], "conversation-44");
    assert.equal(second.headers["x-client-request-id"], "mine");
    assert.equal(second.headers["session-id"], "conversation-45");
  });
});
