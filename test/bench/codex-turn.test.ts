// The bench's two Codex-sized cells must measure what they are named for: the turn Codex
// sends (`store: false`, nothing kept) and the same history from a client that lets its
// responses be kept. A default parameter once made the second send `store: false` too,
// and the kept path went unmeasured (docs/PERFORMANCE.md, "Sixteenth pass"). Checked the
// way the bench runs them: `serve` over the bench's own upstream.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { createServer } from "#src/server/index.js";
import { codexTurnBody } from "../../bench/codex-turn.js";
import { KEY, LOCAL_KEY } from "../../bench/keys.js";
import { startUpstream } from "../../bench/upstream.js";
import { eventually } from "../support/poll.js";

it("sends a turn serve does not keep, and one it keeps", async () => {
  // `/numbered`: a new response id for every answer.
  const upstream = await startUpstream();
  const home = await mkdtemp(join(tmpdir(), "codex-provider-bench-"));
  const server = await createServer({ provider: "openai", providerOptions: { apiKey: KEY, baseUrl: `${upstream.url}/numbered/v1` }, env: {}, home, apiKey: LOCAL_KEY, port: 0 });
  const headers = { authorization: `Bearer ${LOCAL_KEY}`, "content-type": "application/json" };
  const send = async (body: string) => {
    const answer = await fetch(`${server.baseUrl}/responses`, { method: "POST", headers, body });
    const text = await answer.text();
    assert.equal(answer.status, 200, text);
    return /"id":"(resp_n\d+)"/.exec(text)![1];
  };
  const stored = async (id: string) => (await fetch(`${server.baseUrl}/responses/${id}`, { headers })).status === 200;
  try {
    const codex = await send(codexTurnBody());
    const kept = await send(codexTurnBody(true));
    await eventually(() => stored(kept), 5000, "the kept turn stored");
    // Kept before the second turn was even sent, had it been kept at all.
    assert.equal(await stored(codex), false);
  } finally {
    await server.close();
    upstream.stop();
    await rm(home, { recursive: true, force: true });
  }
});
