// GET /v1/models and /v1/models/{id} in the Platform's list shape, whatever shape the provider's catalog had
// (docs/protocol.md#platform-api-key, docs/protocol.md#siwc-inference,
// docs/protocol.md#codex-models-and-usage); and GET /health.
import type { ModelInfo } from "../types.js";
import { VERSION } from "../version.js";
import { ServerError } from "../wire/server-error.js";
import { sendJson, type RouteContext } from "./route-context.js";

function modelObject(model: ModelInfo): Record<string, unknown> {
  // No catalog tells us a creation time; 0 says "unknown" rather than inventing one.
  return { id: model.id, object: "model", created: 0, owned_by: model.ownedBy ?? "openai", ...(model.displayName ? { display_name: model.displayName } : {}) };
}

export async function handleModels(ctx: RouteContext): Promise<void> {
  const models = await ctx.catalog.list();
  sendJson(ctx.res, 200, { object: "list", data: models.map(modelObject) });
}

export async function handleModel(ctx: RouteContext): Promise<void> {
  const id = ctx.param ?? "";
  ctx.record.model = id;
  const model = (await ctx.catalog.list()).find((m) => m.id === id);
  if (!model) throw new ServerError(404, `The model '${id}' does not exist or you do not have access to it.`, "model_not_found", { param: "model" });
  sendJson(ctx.res, 200, modelObject(model));
}

export function healthRoute(inFlight: () => number) {
  return async (ctx: RouteContext): Promise<void> => {
    sendJson(ctx.res, 200, { status: "ok", version: VERSION, provider: ctx.provider.id, experimental: ctx.provider.experimental, in_flight: inFlight() });
  };
}
