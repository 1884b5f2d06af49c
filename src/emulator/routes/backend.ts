// chatgpt.com/backend-api: the Codex Responses endpoint (docs/protocol.md#codex-headers to
// docs/protocol.md#codex-rejected-fields, docs/protocol.md#codex-errors), the model catalog and the usage
// endpoint (docs/protocol.md#codex-models-and-usage). Every answer to an authenticated caller carries the
// `x-codex-*` usage headers of docs/protocol.md#codex-rate-limits.
import { randomToken } from "../auth/crypto-util.js";
import type { EmulatorContext } from "../context.js";
import { detailError, type HttpError, openaiError } from "../errors.js";
import type { Exchange } from "../http.js";
import { answerTurn, deliverResponse, faultGate, objectBody } from "../inference.js";
import { backendCatalogBody, backendCatalogEtag, effortError, findModel } from "../models.js";
import { codexHeaders, rateLimitsEvent, usageLimitReachedBody, whamUsage } from "../rate-limits.js";
import { itemType, readTurn } from "../responses-input.js";
import { responseShell } from "../responses-events.js";
import type { SseEvent } from "../sse.js";
import type { VerifiedToken } from "./v1-auth.js";

// Plans whose requests must name their workspace; personal plans fall back to the
// personal quota without the header (docs/protocol.md#codex-headers).
const WORKSPACE_PLANS = new Set(["team", "business", "enterprise", "hc", "education", "edu"]);

// docs/protocol.md#codex-rejected-fields; `previous_response_id` because nothing is stored (store is always false).
// `safety_identifier` and `stream_options`: CLIProxyAPI deletes both before every call to
// this endpoint (internal/runtime/executor/codex_executor.go, next to
// `prompt_cache_retention`), the sign that the backend refuses them like the others.
const REJECTED_PARAMS = [
  "max_output_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "prompt_cache_retention",
  "previous_response_id",
  "safety_identifier",
  "stream_options",
];

export async function handleCodexResponses(ex: Exchange, ctx: EmulatorContext): Promise<void> {
  const token = await authenticate(ex, ctx);
  if (!token) return;
  const body = objectBody(ex);
  if (!body) return ex.fail(detailError(400, "Invalid JSON body"));
  const gate = await faultGate(ex, ctx, usageErrors(ctx, token), { inference: true, streaming: body.stream === true });
  if (!gate) return;
  const invalid = validate(body);
  if (invalid) return ex.fail(invalid);
  const turn = readTurn(body, { principal: `acct:${token.accountId}`, seal: ctx.seal });
  if ("status" in turn) return ex.fail(turn);
  // The backend labels assistant messages with their phase (codex-rs MessagePhase).
  turn.phases = true;

  if (ctx.planUsage.exhausted(token.accountId)) return ex.fail(usageErrors(ctx, token).usageLimit());
  ctx.planUsage.consume(token.accountId);
  const usage = ctx.planUsage.snapshot(token.accountId, token.planType);
  Object.assign(ex.extraHeaders, codexHeaders(usage));
  await deliverResponse(ex, ctx, responseShell(body), answerTurn(turn, ctx, gate.fault), gate.fault, true, [rateLimitsEvent(usage), metadataEvent()]);
}

/**
 * The backend's `response.metadata`, after its rate limits and before `response.created`:
 * an opaque turn state for a client to send back (docs/protocol.md#codex-rate-limits).
 * No sequence number; not a Responses event.
 */
function metadataEvent(): SseEvent {
  const type = "response.metadata";
  return { event: type, data: JSON.stringify({ type, headers: { "x-codex-turn-state": randomToken(24) } }) };
}

export async function handleCodexModels(ex: Exchange, ctx: EmulatorContext): Promise<void> {
  const token = await authenticate(ex, ctx);
  if (!token || !(await faultGate(ex, ctx, usageErrors(ctx, token), { inference: false, streaming: false }))) return;
  const headers = { "x-models-etag": backendCatalogEtag, etag: backendCatalogEtag };
  if (ex.header("if-none-match") === backendCatalogEtag) return ex.sendEmpty(304, headers);
  ex.sendText(200, backendCatalogBody(), "application/json", headers);
}

export async function handleUsage(ex: Exchange, ctx: EmulatorContext): Promise<void> {
  const token = await authenticate(ex, ctx);
  if (!token || !(await faultGate(ex, ctx, usageErrors(ctx, token), { inference: false, streaming: false }))) return;
  ex.sendJson(200, whamUsage(ctx.planUsage.snapshot(token.accountId, token.planType)));
}

function usageErrors(ctx: EmulatorContext, token: VerifiedToken) {
  return {
    usageLimit: (): HttpError => {
      const snapshot = ctx.planUsage.snapshot(token.accountId, token.planType);
      return { status: 429, body: usageLimitReachedBody(snapshot), headers: codexHeaders({ ...snapshot, primaryUsedPercent: 100 }) };
    },
  };
}

/**
 * Bearer of kind `codex` (OAuth) or `access-token` (`at-…`), and a
 * `chatgpt-account-id` that names the token's own workspace. Sets the usage headers.
 */
async function authenticate(ex: Exchange, ctx: EmulatorContext): Promise<VerifiedToken | undefined> {
  const credential = ex.bearer();
  const verdict = credential ? await ctx.auth.verifyAccessToken(credential) : undefined;
  if (!verdict?.ok || (verdict.kind !== "codex" && verdict.kind !== "access-token")) {
    ex.fail(tokenRejected(verdict && !verdict.ok ? verdict.reason : "invalid"));
    return undefined;
  }
  Object.assign(ex.extraHeaders, codexHeaders(ctx.planUsage.snapshot(verdict.accountId, verdict.planType)));
  const account = ex.header("chatgpt-account-id");
  if (account ? account !== verdict.accountId : WORKSPACE_PLANS.has(verdict.planType)) {
    ex.fail(detailError(403, { code: "invalid_workspace_selected" }));
    return undefined;
  }
  return verdict;
}

// The backend's 401 texts (docs/protocol.md#codex-errors); the code for an unreadable token is our choice.
function tokenRejected(reason: "expired" | "invalid" | "revoked"): HttpError {
  if (reason === "expired") return openaiError(401, "Provided authentication token is expired.", "token_expired");
  if (reason === "revoked") return openaiError(401, "Your authentication token has been invalidated. Please try signing in again.", "token_invalidated");
  return openaiError(401, "Could not parse your authentication token. Please try signing in again.", "token_invalid");
}

/**
 * docs/protocol.md#codex-body and docs/protocol.md#codex-rejected-fields request rules, in the order a client
 * most plausibly trips them.
 */
function validate(body: Record<string, unknown>): HttpError | undefined {
  if (body.store !== false) return detailError(400, "Store must be set to false");
  if (body.stream !== true) return detailError(400, "Stream must be set to true");
  if (body.instructions === undefined || body.instructions === null) return detailError(400, "Instructions are required");
  if (typeof body.instructions !== "string") return detailError(400, "Instructions are not valid");
  const rejected = REJECTED_PARAMS.find((param) => body[param] !== undefined);
  if (rejected) return detailError(400, `Unsupported parameter: ${rejected}`);
  if (Array.isArray(body.input) && body.input.some((item) => item && typeof item === "object" && itemType(item) === "message" && item.role === "system")) {
    return detailError(400, "System messages are not allowed");
  }
  const model = findModel(body.model, "chatgpt");
  if (!model) return detailError(400, `The '${String(body.model)}' model is not supported when using Codex with a ChatGPT account.`);
  return effortError(model, body.reasoning);
}
