// GET /v1/responses/{id}, DELETE /v1/responses/{id} and GET /v1/responses/{id}/input_items,
// answered from the local response store in OpenAI's shapes (openai-node's Response and
// ResponseItemList; the delete result of the API reference, developers.openai.com
// "Delete a model response": `{id, object: "response", deleted: true}`). Only responses
// this server produced for the caller's local key exist here; anything else is OpenAI's 404.
import { ServerError } from "../wire/server-error.js";
import type { StoredResponse } from "./response-store.js";
import { sendJson, type RouteContext } from "./route-context.js";

type Json = Record<string, unknown>;

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

function stored(ctx: RouteContext): StoredResponse {
  const id = ctx.param ?? "";
  const entry = ctx.responses.store.get(ctx.responses.scope, id);
  // The Platform's 404: `code` and `param` null.
  if (!entry) throw new ServerError(404, `Response with id '${id}' not found.`, null);
  return entry;
}

export async function handleRetrieveResponse(ctx: RouteContext): Promise<void> {
  sendJson(ctx.res, 200, stored(ctx).response);
}

export async function handleDeleteResponse(ctx: RouteContext): Promise<void> {
  const id = stored(ctx).response.id;
  ctx.responses.store.delete(ctx.responses.scope, String(id));
  sendJson(ctx.res, 200, { id, object: "response", deleted: true });
}

/** Query: `limit` (1–100, default 20), `order` (`asc`, or `desc` the default), `after` (an item id). */
export async function handleInputItems(ctx: RouteContext): Promise<void> {
  const entry = stored(ctx);
  const query = ctx.query();
  const limit = listLimit(query.get("limit"));
  const order = query.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") throw new ServerError(400, `Invalid value for 'order': expected 'asc' or 'desc'.`, "invalid_value", { param: "order" });
  const items = entry.input.map((item, index) => listedItem(item, `${String(entry.response.id)}_input_${index}`));
  if (order === "desc") items.reverse();
  const after = query.get("after");
  const start = after === null ? 0 : items.findIndex((item) => item.id === after) + 1;
  const data = items.slice(start, start + limit);
  sendJson(ctx.res, 200, {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: start + data.length < items.length,
  });
}

function listLimit(text: string | null): number {
  if (text === null) return DEFAULT_LIMIT;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ServerError(400, `Invalid value for 'limit': expected an integer from 1 to ${MAX_LIMIT}.`, "invalid_value", { param: "limit" });
  }
  return limit;
}

/**
 * An input item as the API lists it: with an id (our own when the client sent none) and
 * a message's text as `input_text` parts (the shorthand `{role, content: "…"}` included).
 */
function listedItem(item: Json, fallbackId: string): Json & { id: string } {
  const id = typeof item.id === "string" ? item.id : fallbackId;
  const isMessage = item.type === "message" || (item.type === undefined && typeof item.role === "string");
  if (!isMessage) return { ...item, id };
  const content = typeof item.content === "string" ? [{ type: "input_text", text: item.content }] : item.content;
  return { ...item, id, type: "message", content, status: item.status ?? "completed" };
}
