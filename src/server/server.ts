// The local OpenAI-compatible server: guards (Host, Origin, local key), routing,
// one access-log entry per request, and a graceful close that lets in-flight streams
// finish for a grace period before aborting them (which cancels their upstream calls).
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { stateHome, type Env } from "../config/paths.js";
import { ProviderError } from "../errors.js";
import { createProvider, type CreateProviderOptions } from "../providers/registry.js";
import type { Provider } from "../providers/provider.js";
import { RequestRecord, type AccessLogEntry } from "./access-log.js";
import { CorsPolicy, forbiddenHost, HostPolicy, KeyCheck } from "./auth-guard.js";
import { handleChatCompletions } from "./chat-route.js";
import { describeUnexpected, type ErrorContext } from "./errors.js";
import { ServerError } from "../wire/server-error.js";
import { loadOrCreateLocalKey } from "./local-key.js";
import { ModelCatalog } from "./model-catalog.js";
import { handleModel, handleModels, healthRoute } from "./models-route.js";
import { readJsonBody } from "./request-body.js";
import { handleResponses } from "./responses-route.js";
import { failure, sendJson, SHUTDOWN, type RouteContext } from "./route-context.js";

export interface ServerOptions {
  /** A provider id (`openai` default, `chatgpt`, `chatgpt-codex`, custom) or a ready Provider. */
  provider?: string | Provider;
  profile?: string;
  env?: Env;
  /** State directory (the local key lives here); default `CODEX_PROVIDER_HOME` or `~/.codex-provider`. */
  home?: string;
  /** Transport and provider options used when `provider` is an id. */
  providerOptions?: Omit<CreateProviderOptions, "provider" | "profile" | "env" | "home">;
  /** Default 127.0.0.1. Any other address exposes the server (still behind the key) to the network. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** The local key clients must send; default: generated once and stored 0600 in `home`. */
  apiKey?: string;
  /** Browser origins allowed to call the server (CORS). None by default. */
  cors?: readonly string[];
  /** Put redacted request bodies (prompts!) in the access log. */
  logBodies?: boolean;
  onLog?(entry: AccessLogEntry): void;
  /** Unexpected internal failures (redacted). */
  onError?(message: string): void;
  /** How long `close()` waits for in-flight requests by default (10 s). */
  drainTimeoutMs?: number;
}

export interface LocalServer {
  /** Root URL, e.g. `http://127.0.0.1:8787` (routes answer with and without `/v1`). */
  url: string;
  /** `url` + `/v1`: the `baseURL` for OpenAI SDKs and Codex's `base_url`. */
  baseUrl: string;
  /** The local key clients must send as `Authorization: Bearer …`. */
  apiKey: string;
  provider: Provider;
  /** Requests being answered right now. */
  inFlight(): number;
  /** Stop accepting, let in-flight requests finish for `drainTimeoutMs`, then abort the rest. */
  close(options?: { drainTimeoutMs?: number }): Promise<void>;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_DRAIN_MS = 10_000;
/** After aborting, how long handlers get to write their final error event. */
const ABORT_FLUSH_MS = 250;

type Handler = (ctx: RouteContext) => Promise<void>;

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ServerError(400, `Malformed URL path segment: ${segment}`, "invalid_url");
  }
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

export async function startServer(options: ServerOptions = {}): Promise<LocalServer> {
  const env = options.env ?? process.env;
  const home = options.home ?? stateHome(env);
  const profile = options.profile ?? "default";
  const provider =
    typeof options.provider === "object"
      ? options.provider
      : createProvider({ ...options.providerOptions, provider: options.provider, profile, env, home });
  const apiKey = options.apiKey ?? (await loadOrCreateLocalKey(home));
  const host = options.host ?? DEFAULT_HOST;
  const hostPolicy = new HostPolicy(host);
  const keyCheck = new KeyCheck(apiKey);
  const cors = new CorsPolicy(options.cors ?? []);
  const catalog = new ModelCatalog(provider);
  const errorContext: ErrorContext = { provider: provider.id, profile };
  const inFlight = new Set<AbortController>();
  /** Ends close()'s current wait early: the last request finished, or close() was called again. */
  let wake: (() => void) | undefined;
  let draining = false;

  const routes = new Map<string, Handler>([
    ["POST /responses", handleResponses],
    ["POST /chat/completions", handleChatCompletions],
    ["GET /models", handleModels],
    ["GET /models/*", handleModel],
    ["GET /health", healthRoute(() => inFlight.size)],
  ]);

  function route(method: string, pathname: string): { handler: Handler; param?: string } {
    // Clients configured with or without `/v1` in their base URL both land here.
    const path = pathname.replace(/\/+$/, "").replace(/^\/v1(?=\/|$)/, "") || "/";
    const model = /^\/models\/(.+)$/.exec(path);
    const key = model ? "/models/*" : path;
    const handler = routes.get(`${method} ${key}`);
    if (handler) return { handler, param: model ? decodePathSegment(model[1]) : undefined };
    const allowed = [...routes.keys()].filter((r) => r.endsWith(` ${key}`)).map((r) => r.split(" ")[0]);
    if (allowed.length) throw new ServerError(405, `Method ${method} is not allowed on ${pathname}.`, "method_not_allowed", { headers: { allow: allowed.join(", ") } });
    throw new ServerError(404, `Invalid URL (${method} ${pathname})`, "unknown_url");
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `req_${randomBytes(12).toString("hex")}`;
    const method = req.method ?? "GET";
    const pathname = new URL(req.url ?? "/", "http://local.invalid").pathname;
    const record = new RequestRecord(requestId, method, pathname);
    const controller = new AbortController();
    inFlight.add(controller);
    res.setHeader("x-request-id", requestId);
    res.once("close", () => {
      inFlight.delete(controller);
      const clientAborted = !res.writableFinished && !controller.signal.aborted;
      // The client went away: cancel the upstream request it was waiting for.
      if (clientAborted) controller.abort();
      options.onLog?.(record.entry(res.headersSent ? res.statusCode : 499, clientAborted));
      if (inFlight.size === 0) wake?.();
    });

    const ctx: RouteContext = {
      res,
      signal: controller.signal,
      provider,
      catalog,
      record,
      errorContext,
      readBody: async () => {
        const body = await readJsonBody(req);
        if (options.logBodies) record.keepBody(body.text);
        return body.value;
      },
    };
    try {
      if (draining) throw SHUTDOWN;
      if (!hostPolicy.allows(req.headers.host)) throw forbiddenHost(req.headers.host);
      if (cors.handle(req, res)) return;
      keyCheck.verify(req.headers.authorization);
      const { handler, param } = route(method, pathname);
      ctx.param = param;
      await handler(ctx);
    } catch (error) {
      if (!(error instanceof ServerError || error instanceof ProviderError)) options.onError?.(`${requestId}: ${describeUnexpected(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (res.destroyed) return;
      const answer = failure(ctx, error);
      sendJson(res, answer.status, answer.body, answer.headers);
    }
  }

  const server = createHttpServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(host === "0.0.0.0" || host === "::" ? DEFAULT_HOST : host)}:${port}`;

  let closing: Promise<void> | undefined;
  const waitForInFlight = (ms: number) =>
    new Promise<void>((resolve) => {
      if (inFlight.size === 0) return resolve();
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function drain(timeoutMs: number): Promise<void> {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await waitForInFlight(timeoutMs);
    for (const controller of inFlight) controller.abort(SHUTDOWN);
    await waitForInFlight(ABORT_FLUSH_MS);
    server.closeAllConnections();
    await closed;
  }

  return {
    url,
    baseUrl: `${url}/v1`,
    apiKey,
    provider,
    inFlight: () => inFlight.size,
    close(closeOptions = {}) {
      // A second call (a second Ctrl-C) stops waiting for in-flight requests.
      if (closing) wake?.();
      return (closing ??= drain(closeOptions.drainTimeoutMs ?? options.drainTimeoutMs ?? DEFAULT_DRAIN_MS));
    },
  };
}
