// api.openai.com/v1 Responses and model list, for both credentials that reach them:
// a Platform key gets the full parameter set (docs/protocol.md#platform-api-key), a SIWC token the plan rules of
// docs/protocol.md#siwc-inference with plan usage accounting (docs/protocol.md#siwc-errors).
import type { EmulatorContext } from "../context.js";
import { type HttpError, invalidJsonBody, openaiError, platformQuotaExceeded, siwcError, siwcUsageLimit } from "../errors.js";
import type { Exchange } from "../http.js";
import { answerTurn, deliverResponse, faultGate, objectBody } from "../inference.js";
import { effortError, findModel, platformModelList, siwcModelList } from "../models.js";
import { inputItems, readTurn } from "../responses-input.js";
import { finalResponse, responseShell } from "../responses-events.js";
import { authenticateV1, type V1Caller } from "./v1-auth.js";
import { siwcViolation } from "./siwc-policy.js";

export async function handleModels(ex: Exchange, ctx: EmulatorContext): Promise<void> {
  const caller = await authenticateV1(ex, ctx);
  if (!caller) return;
  const gate = await faultGate(ex, ctx, usageErrors(caller), { inference: false, streaming: false });
  if (!gate) return;
  ex.sendJson(200, caller.kind === "siwc" ? siwcModelList(ex.url.searchParams.get("client_version")) : platformModelList());
}

export async function handleResponses(ex: Exchange, ctx: EmulatorContext): Promise<void> {
  const caller = await authenticateV1(ex, ctx);
  if (!caller) return;
  Object.assign(ex.extraHeaders, ctx.platformLimits.consume(Math.ceil(ex.bodyLength / 4)));
  const body = objectBody(ex);
  if (!body) return ex.fail(invalidJsonBody());
  const gate = await faultGate(ex, ctx, usageErrors(caller), { inference: true, streaming: body.stream === true });
  if (!gate) return;

  const siwc = caller.kind === "siwc";
  const violation = modelError(body, siwc) ?? (siwc ? siwcViolation(body) : undefined);
  if (violation) return ex.fail(violation);

  let priorItems: unknown[] | undefined;
  if (typeof body.previous_response_id === "string") {
    priorItems = ctx.store.context(caller.principal, body.previous_response_id);
    if (!priorItems) {
      return ex.fail(openaiError(400, `Previous response with id '${body.previous_response_id}' not found.`, "previous_response_not_found", { param: "previous_response_id" }));
    }
  }
  const turn = readTurn(body, {
    principal: caller.principal,
    seal: ctx.seal,
    priorItems,
    isStoredItem: (id) => ctx.store.hasItem(caller.principal, id),
  });
  if ("status" in turn) return ex.fail(turn);

  if (caller.kind === "siwc") {
    const account = caller.token.accountId;
    if (ctx.planUsage.exhausted(account)) return ex.fail(siwcUsageLimit());
    ctx.planUsage.consume(account);
  }

  const answer = answerTurn(turn, ctx, gate.fault);
  const shell = responseShell(body);
  if (body.store !== false) {
    const input = inputItems(body.input) as unknown[];
    ctx.store.save(caller.principal, shell.id, [...(priorItems ?? []), ...input], finalResponse(shell, answer).output as Record<string, unknown>[]);
  }
  await deliverResponse(ex, ctx, shell, answer, gate.fault, body.stream === true);
}

function usageErrors(caller: V1Caller) {
  return { usageLimit: caller.kind === "siwc" ? siwcUsageLimit : platformQuotaExceeded };
}

/** The error for a missing, unknown or effort-incompatible model, if any. */
function modelError(body: Record<string, unknown>, siwc: boolean): HttpError | undefined {
  if (typeof body.model !== "string" || !body.model) {
    return openaiError(400, "Missing required parameter: 'model'.", "missing_required_parameter", { param: "model" });
  }
  const model = findModel(body.model, siwc ? "chatgpt" : "platform");
  if (!model) {
    return siwc
      ? siwcError(400, "subscription_sharing_unsupported_capability", `The model '${body.model}' is not available with ChatGPT plan usage.`, "model")
      : openaiError(404, `The model '${body.model}' does not exist or you do not have access to it.`, "model_not_found");
  }
  return effortError(model, body.reasoning);
}
