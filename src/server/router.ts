// Which handler answers a method and path. Clients configured with or without `/v1`
// in their base URL land on the same routes; a known path with the wrong method is a
// 405 with `Allow`, anything else OpenAI's 404 wording.
import { handleChatCompletions } from "./chat-route.js";
import { ServerError } from "../wire/server-error.js";
import { messagesRoutes } from "./messages-route.js";
import { handleModel, handleModels, healthRoute } from "./models-route.js";
import { handleResponses } from "./responses-route.js";
import { handleDeleteResponse, handleInputItems, handleRetrieveResponse } from "./stored-responses-route.js";
import type { RouteContext } from "./route-context.js";

export type Handler = (ctx: RouteContext) => Promise<void>;

export interface RouteMatch {
  handler: Handler;
  /** The decoded `{id}` of `/models/{id}` and `/responses/{id}…`. */
  param?: string;
}

/**
 * The server's routes; `/health` reports how many requests are in flight, and
 * `claudeModel` is the claude_model table for the Anthropic routes.
 */
export function apiRoutes(inFlight: () => number, claudeModel?: string): Map<string, Handler> {
  const anthropic = messagesRoutes(claudeModel);
  return new Map<string, Handler>([
    ["POST /responses", handleResponses],
    ["POST /chat/completions", handleChatCompletions],
    ["POST /messages", anthropic.messages],
    ["POST /messages/count_tokens", anthropic.countTokens],
    ["GET /models", handleModels],
    ["GET /models/*", handleModel],
    ["GET /responses/*", handleRetrieveResponse],
    ["DELETE /responses/*", handleDeleteResponse],
    ["GET /responses/*/input_items", handleInputItems],
    ["GET /health", healthRoute(inFlight)],
  ]);
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ServerError(400, `Malformed URL path segment: ${segment}`, "invalid_url");
  }
}

/** The route key of a path: without a trailing slash or the optional `/v1`. */
function routePath(pathname: string): string {
  return pathname.replace(/\/+$/, "").replace(/^\/v1(?=\/|$)/, "") || "/";
}

/**
 * A health check that sends no key (a supervisor or load balancer): it learns only
 * that the server is up. With the key, `/health` tells more.
 */
export function isLivenessProbe(method: string, pathname: string, authorization: string | undefined): boolean {
  return authorization === undefined && method === "GET" && routePath(pathname) === "/health";
}

/** Paths with a parameter, as route keys; a model id may contain slashes, a response id does not. */
const PARAM_PATHS: ReadonlyArray<[RegExp, string]> = [
  [/^\/models\/(.+)$/, "/models/*"],
  [/^\/responses\/([^/]+)\/input_items$/, "/responses/*/input_items"],
  [/^\/responses\/([^/]+)$/, "/responses/*"],
];

function withParam(path: string): [key: string, segment?: string] {
  for (const [pattern, key] of PARAM_PATHS) {
    const match = pattern.exec(path);
    if (match) return [key, match[1]];
  }
  return [path];
}

/** Anthropic's paths answer errors in Anthropic's shape, whatever failed (a guard, the route, the upstream). */
export function isAnthropicPath(pathname: string): boolean {
  return /^\/messages(\/|$)/.test(routePath(pathname));
}

/** Per routes map: each parameterless route's path as clients send it (`/responses`, `/v1/responses`), then method → handler. */
const plainPaths = new WeakMap<ReadonlyMap<string, Handler>, Map<string, Map<string, Handler>>>();

function plainPathsOf(routes: ReadonlyMap<string, Handler>): Map<string, Map<string, Handler>> {
  let index = plainPaths.get(routes);
  if (index) return index;
  index = new Map();
  for (const [key, handler] of routes) {
    const [method, path] = key.split(" ");
    if (path.includes("*")) continue;
    for (const sent of [path, `/v1${path}`]) {
      const methods = index.get(sent) ?? new Map<string, Handler>();
      index.set(sent, methods.set(method, handler));
    }
  }
  plainPaths.set(routes, index);
  return index;
}

/** The route for a request, or the ServerError (404/405/400) to answer with. */
export function matchRoute(routes: ReadonlyMap<string, Handler>, method: string, pathname: string): RouteMatch {
  // Most requests name a route's path exactly: two lookups rather than the path's regexes.
  const plain = plainPathsOf(routes).get(pathname)?.get(method);
  if (plain) return { handler: plain, param: undefined };
  const path = routePath(pathname);
  const [key, segment] = withParam(path);
  const handler = routes.get(`${method} ${key}`);
  if (handler) return { handler, param: segment === undefined ? undefined : decodePathSegment(segment) };
  const allowed = [...routes.keys()].filter((r) => r.endsWith(` ${key}`)).map((r) => r.split(" ")[0]);
  if (allowed.length) throw new ServerError(405, `Method ${method} is not allowed on ${pathname}.`, "method_not_allowed", { headers: { allow: allowed.join(", ") } });
  throw new ServerError(404, `Invalid URL (${method} ${pathname})`, "unknown_url");
}
