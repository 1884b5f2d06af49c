import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyHttpError, retryAfterMs } from "#src/transport/classify.js";
import { parseRateLimitHeaders } from "#src/transport/rate-limits.js";
import { ResponsesEventMapper } from "#src/wire/responses-events.js";
import type { StreamEvent } from "#src/types.js";
import { ProviderError } from "#src/errors.js";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

test("Codex usage limit (error.type) is terminal with plan and reset time", () => {
  const body = JSON.stringify({ error: { type: "usage_limit_reached", message: "The usage limit has been reached", plan_type: "plus", resets_at: NOW / 1000 + 8040, resets_in_seconds: 8040 } });
  const error = classifyHttpError(429, {}, body, { now: NOW });
  assert.equal(error.code, "usage_limit_reached");
  assert.equal(error.retryable, false);
  assert.equal(error.planType, "plus");
  assert.equal(error.resetsAt, NOW + 8040 * 1000);
});

test("a usage limit on another metered limit names it (x-codex-active-limit)", () => {
  const headers = {
    "x-codex-active-limit": "codex_bengalfox",
    "x-codex-primary-used-percent": "12",
    "x-codex-bengalfox-primary-used-percent": "100",
    "x-codex-bengalfox-limit-name": "GPT-5.3-Codex-Spark",
  };
  const rateLimits = parseRateLimitHeaders(headers, NOW);
  assert.equal(rateLimits?.activeLimit, "codex_bengalfox");
  const error = classifyHttpError(429, headers, JSON.stringify({ error: { type: "usage_limit_reached", message: "The usage limit has been reached" } }), { now: NOW, rateLimits });
  assert.equal(error.code, "usage_limit_reached");
  assert.equal(error.message, "The usage limit has been reached (limit: GPT-5.3-Codex-Spark)");
  assert.equal(error.rateLimits?.primary?.usedPercent, 12, "the main window is not the one that ran out");
  const main = classifyHttpError(429, { "x-codex-active-limit": "codex" }, JSON.stringify({ error: { type: "usage_limit_reached", message: "The usage limit has been reached" } }), {
    rateLimits: parseRateLimitHeaders({ "x-codex-active-limit": "codex" }),
  });
  assert.equal(main.message, "The usage limit has been reached");
});

test("only resets_in_seconds still yields a reset time", () => {
  const error = classifyHttpError(429, {}, JSON.stringify({ error: { type: "usage_limit_reached", resets_in_seconds: 60 } }), { now: NOW });
  assert.equal(error.resetsAt, NOW + 60_000);
});

test("usage_not_included is terminal whatever the status (older backends used 404)", () => {
  for (const status of [404, 429]) {
    const error = classifyHttpError(status, {}, JSON.stringify({ error: { code: "usage_not_included" } }));
    assert.equal(error.code, "usage_not_included");
    assert.equal(error.retryable, false);
  }
});

test("plain 429 throttling is retryable and honours retry-after-ms, retry-after and message hints", () => {
  const body = JSON.stringify({ error: { code: "rate_limit_exceeded", message: "Please try again in 1.5s." } });
  assert.equal(classifyHttpError(429, { "retry-after-ms": "20" }, body).retryAfterMs, 20);
  assert.equal(classifyHttpError(429, { "retry-after": "2" }, body).retryAfterMs, 2000);
  const fromMessage = classifyHttpError(429, {}, body);
  assert.equal(fromMessage.code, "rate_limited");
  assert.equal(fromMessage.retryable, true);
  assert.equal(fromMessage.retryAfterMs, 1500);
  assert.equal(retryAfterMs({ "retry-after": new Date(NOW + 3000).toUTCString() }, undefined, NOW), 3000);
});

test("SIWC codes map per the protocol table", () => {
  const cases: Array<[number, string, string, boolean]> = [
    [429, "subscription_sharing_usage_limit_exceeded", "usage_limit_reached", false],
    [503, "subscription_sharing_usage_unavailable", "server_overloaded", true],
    [503, "subscription_sharing_user_unavailable", "server_overloaded", true],
    [403, "subscription_sharing_user_not_eligible", "permission_denied", false],
    [400, "subscription_sharing_unsupported_capability", "unsupported_parameter", false],
    [403, "subscription_sharing_route_not_supported", "bad_request", false],
    [403, "chatpass_v2_scope_not_authorized", "permission_denied", false],
    [429, "insufficient_quota", "insufficient_quota", false],
  ];
  for (const [status, upstream, code, retryable] of cases) {
    const error = classifyHttpError(status, {}, JSON.stringify({ error: { code: upstream, message: "x", param: "temperature" } }));
    assert.equal(error.code, code, upstream);
    assert.equal(error.retryable, retryable, upstream);
    assert.equal(error.upstreamCode, upstream);
  }
  const limit = classifyHttpError(429, {}, JSON.stringify({ error: { code: "subscription_sharing_usage_limit_exceeded" } }));
  assert.equal(limit.resetsAt, undefined, "no invented reset time");
  assert.match(limit.message, /chatgpt\.com\/settings\/usage/);
});

test("detail bodies, x-error-json, HTML pages and x-should-retry", () => {
  assert.equal(classifyHttpError(400, {}, JSON.stringify({ detail: "Unsupported parameter: temperature" })).code, "unsupported_parameter");
  assert.equal(classifyHttpError(403, {}, JSON.stringify({ detail: { code: "invalid_workspace_selected" } })).code, "permission_denied");
  const header = Buffer.from(JSON.stringify({ error: { code: "usage_not_included" } })).toString("base64");
  assert.equal(classifyHttpError(403, { "x-error-json": header }, "").code, "usage_not_included");
  const cf = classifyHttpError(403, { "cf-mitigated": "challenge" }, "<html><title>Attention Required!</title></html>");
  assert.match(cf.message, /Cloudflare/);
  assert.equal(classifyHttpError(500, { "x-should-retry": "false" }, "").retryable, false);
  assert.equal(classifyHttpError(502, {}, "bad gateway").retryable, true);
  assert.equal(classifyHttpError(400, {}, JSON.stringify({ error: { code: "context_length_exceeded" } })).code, "context_length_exceeded");
});

test("in-stream response.failed and both error event shapes are classified", () => {
  const mapper = new ResponsesEventMapper();
  assert.throws(
    () => mapper.map({ type: "response.failed", response: { error: { code: "rate_limit_exceeded", message: "slow down" } } }, []),
    (e: unknown) => e instanceof ProviderError && e.code === "rate_limited" && e.retryable,
  );
  assert.throws(
    () => mapper.map({ type: "error", code: "context_length_exceeded", message: "too long" }, []),
    (e: unknown) => e instanceof ProviderError && e.code === "context_length_exceeded",
  );
  assert.throws(
    () => mapper.map({ type: "error", status: 429, error: { type: "usage_limit_reached", plan_type: "pro", resets_in_seconds: 10 }, headers: { "X-Codex-Primary-Used-Percent": "100" } }, []),
    (e: unknown) => e instanceof ProviderError && e.code === "usage_limit_reached" && e.planType === "pro" && e.resetsAt !== undefined,
  );
});

test("multi-part reasoning summaries are separated by a blank line in the stream and in the result", () => {
  const mapper = new ResponsesEventMapper();
  const streamed: string[] = [];
  const feed = (event: Record<string, unknown>) => {
    const out: StreamEvent[] = [];
    mapper.map(event, out);
    for (const e of out) if (e.type === "reasoning_summary_delta") streamed.push(e.delta);
  };
  feed({ type: "response.reasoning_summary_part.added", item_id: "rs_1", summary_index: 0 });
  feed({ type: "response.reasoning_summary_text.delta", item_id: "rs_1", summary_index: 0, delta: "**Plan**" });
  feed({ type: "response.reasoning_summary_part.added", item_id: "rs_1", summary_index: 1 });
  feed({ type: "response.reasoning_summary_text.delta", item_id: "rs_1", summary_index: 1, delta: "**Answer**" });
  feed({ type: "response.completed", response: { id: "r", output: [] } });
  assert.equal(streamed.join(""), "**Plan**\n\n**Answer**");
  assert.equal(mapper.result?.reasoningSummary, "**Plan**\n\n**Answer**");
});
