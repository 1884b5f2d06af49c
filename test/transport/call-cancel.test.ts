// A call's cancel hook (transport/call-cancel.ts): the transport's own layers listen to it
// directly, and an AbortSignal is made only for the APIs that take one: an auth source
// that must refresh, a retry's sleep. Abort must reach those the same way it reached the
// per-call AbortSignal before.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ProviderError } from "#src/errors.js";
import { CallCancel } from "#src/transport/call-cancel.js";
import type { Clock } from "#src/transport/retry.js";
import type { Emulator } from "#src/emulator/index.js";
import { withEmulator } from "../support/emulator.js";
import { openStream, type Endpoint, type TransportOptions } from "#src/transport/response-stream.js";
import { ResponsesEventMapper } from "#src/wire/responses-events.js";
import type { AuthSource } from "#src/transport/auth-source.js";

const isAborted = (error: unknown) => error instanceof ProviderError && error.code === "aborted";

/** Resolves with the AbortSignal a promise-returning API was given, and rejects that API's promise when it fires. */
function waitsForAbort(): { reached: Promise<AbortSignal | undefined>; call(signal?: AbortSignal): Promise<never> } {
  let reached!: (signal: AbortSignal | undefined) => void;
  return {
    reached: new Promise((resolve) => (reached = resolve)),
    call(signal) {
      reached(signal);
      return new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new ProviderError("aborted", "The request was aborted."))));
    },
  };
}

function endpoint(url: string, auth: AuthSource): Endpoint {
  return { url: `${url}/responses`, auth, headers: {}, createMapper: (context) => new ResponsesEventMapper(context) };
}

test("listeners fire once, in order; a removed one does not; the signal is made on demand and follows the call", () => {
  const cancel = new CallCancel();
  const fired: string[] = [];
  const removed = () => fired.push("removed");
  cancel.addEventListener("abort", () => fired.push("first"));
  cancel.addEventListener("abort", removed);
  cancel.addEventListener("abort", () => fired.push("second"));
  cancel.removeEventListener("abort", removed);
  const signal = cancel.signal;
  assert.equal(signal.aborted, false);
  cancel.abort();
  cancel.abort();
  assert.deepEqual(fired, ["first", "second"]);
  assert.equal(signal.aborted, true);
  // Asked for after the abort: already aborted.
  const late = new CallCancel();
  late.abort();
  assert.equal(late.signal.aborted, true);
  late.addEventListener("abort", () => fired.push("after"));
  assert.deepEqual(fired, ["first", "second"]);
});

/**
 * Opens a call that waits in `waiter` (an auth source's headers(), a retry's sleep),
 * aborts it there, and returns how many model requests the emulator saw.
 */
async function abortWhileWaiting(emu: Emulator, waiter: ReturnType<typeof waitsForAbort>, auth: AuthSource, options: TransportOptions = {}): Promise<number> {
  const stream = openStream(endpoint(emu.apiUrl, auth), { model: "gpt-5.5", input: "hi", stream: true }, options);
  const result = stream.result();
  assert.ok((await waiter.reached) instanceof AbortSignal, "given a real AbortSignal");
  stream.abort();
  await assert.rejects(result, isAborted);
  return emu.requests.filter((r) => r.path === "/v1/responses").length;
}

test("an auth source that must refresh gets an AbortSignal, and abort reaches it", { timeout: 30_000 }, async () => {
  await withEmulator({}, async (emu) => {
    const refresh = waitsForAbort();
    // No currentHeaders: the call has to await headers(signal), as a token refresh does.
    const auth: AuthSource = { description: "refreshing", headers: (signal) => refresh.call(signal), unauthorized: async () => false };
    assert.equal(await abortWhileWaiting(emu, refresh, auth), 0, "nothing was sent");
  });
});

test("a retry's sleep gets an AbortSignal, and abort ends the wait", { timeout: 30_000 }, async () => {
  await withEmulator({}, async (emu) => {
    emu.setFault({ name: "server_error", times: 1 });
    const sleep = waitsForAbort();
    const clock: Clock = { now: () => 0, random: () => 0.5, sleep: (_ms, signal) => sleep.call(signal) };
    const auth: AuthSource = { description: "key", headers: async () => ({ authorization: `Bearer ${emu.apiKey}` }), unauthorized: async () => false };
    assert.equal(await abortWhileWaiting(emu, sleep, auth, { clock }), 1, "the retry was not sent");
  });
});
