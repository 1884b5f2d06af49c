// Answering one request: an id and an access-log record, the guards (draining, Host,
// CORS, local key; a keyless GET /health is only told the server is up) in that order, the route, and one error answer for whatever a
// handler threw. A client that goes away cancels the upstream call it was waiting for.
import { randomFillSync } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Answer } from "./answer.js";
import { ProviderError } from "../errors.js";
import type { Provider } from "../providers/provider.js";
import { RequestRecord, type AccessLogEntry } from "./access-log.js";
import { forbiddenHost, type CorsPolicy, type HostPolicy, type KeyCheck } from "./auth-guard.js";
import { ServerError } from "../wire/server-error.js";
import { describeUnexpected, type ErrorContext } from "./errors.js";
import type { InFlight } from "./in-flight.js";
import type { ModelCatalog } from "./model-catalog.js";
import { readJsonBody } from "./request-body.js";
import { requestTarget } from "./request-target.js";
import { failure, sendJson, SHUTDOWN, type ResponsesState, type RouteContext } from "./route-context.js";
import { anthropicErrorAnswer } from "./anthropic-errors.js";
import { isAnthropicPath, isLivenessProbe, matchRoute, type Handler } from "./router.js";

export interface RequestDeps {
  provider: Provider;
  catalog: ModelCatalog;
  errorContext: ErrorContext;
  routes: ReadonlyMap<string, Handler>;
  inFlight: InFlight;
  hostPolicy: HostPolicy;
  keyCheck: KeyCheck;
  cors: CorsPolicy;
  maxBodyBytes: number;
  responses: ResponsesState;
  logBodies?: boolean;
  onLog?(entry: AccessLogEntry): void;
  onError?(message: string): void;
}

const ID_BYTES = 12;
/** Request ids are cut from a pooled random buffer: one CSPRNG call per 256 requests rather than one each. */
const idPool = Buffer.alloc(ID_BYTES * 256);
let idOffset = idPool.length;

/** The id a request is logged under and answered with (`x-request-id`). */
export function newRequestId(): string {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  idOffset += ID_BYTES;
  return `req_${idPool.toString("hex", idOffset - ID_BYTES, idOffset)}`;
}

export function requestHandler(deps: RequestDeps): (req: IncomingMessage, res: Answer) => Promise<void> {
  const { inFlight } = deps;
  return async (req, res) => {
    const requestId = newRequestId();
    const method = req.method ?? "GET";
    const target = requestTarget(req.url ?? "/");
    const pathname = target.pathname;
    const record = new RequestRecord(requestId, method, pathname);
    const request = inFlight.start();
    res.requestId = requestId;
    res.once("close", () => {
      const clientAborted = !res.writableFinished && !request.cancelled;
      // The client went away: cancel the upstream request it was waiting for.
      if (clientAborted) request.cancel();
      const status = res.headersSent ? res.statusCode : 499;
      record.close(() => {
        deps.onLog?.(record.entry(status, clientAborted));
        inFlight.finish(request);
      });
    });

    // Plain data and functions only: a getter in this literal gave every request its own
    // hidden class (maps live in old space, so the scavenger kept each request's whole
    // graph alive until a full GC; see docs/PERFORMANCE.md, "Fifth look").
    const ctx: RouteContext = {
      res,
      inFlight: request,
      provider: deps.provider,
      catalog: deps.catalog,
      record,
      errorContext: deps.errorContext,
      query: target.query,
      responses: deps.responses,
      readBody: async (deferred) => {
        const body = await readJsonBody(req, deps.maxBodyBytes, deferred);
        if (deps.logBodies) record.keepBody(body.bytes.toString());
        return body;
      },
    };
    try {
      if (inFlight.draining) throw SHUTDOWN;
      if (!deps.hostPolicy.allows(req.headers.host)) throw forbiddenHost(req.headers.host);
      if (deps.cors.handle(req, res)) return;
      if (isLivenessProbe(method, pathname, req.headers.authorization)) return sendJson(res, 200, { status: "ok" });
      deps.keyCheck.verify(req.headers.authorization, req.headers["x-api-key"]);
      const { handler, param } = matchRoute(deps.routes, method, pathname);
      ctx.param = param;
      await handler(ctx);
    } catch (error) {
      if (!(error instanceof ServerError || error instanceof ProviderError)) deps.onError?.(`${requestId}: ${describeUnexpected(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (res.destroyed) return;
      const failed = failure(ctx, error);
      const answer = isAnthropicPath(pathname) ? anthropicErrorAnswer(failed, requestId) : failed;
      sendJson(res, answer.status, answer.body, answer.headers);
    }
  };
}
