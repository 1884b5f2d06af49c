// The local OpenAI-compatible server, assembled from its parts: the provider and the
// guards (Host, Origin, local key), the routes, per-request handling with one
// access-log entry each, the listener, and a graceful close (in-flight.ts).
import { createServer as createHttpServer } from "node:http";
import { stateHome, type Env } from "../config/paths.js";
import type { NoticeHandler } from "../notice.js";
import { createProvider, type CreateProviderOptions } from "../providers/registry.js";
import type { Provider } from "../providers/provider.js";
import { preloadUndici } from "../transport/http.js";
import type { AccessLogEntry } from "./access-log.js";
import { Answer } from "./answer.js";
import { CorsPolicy, HostPolicy, KeyCheck } from "./auth-guard.js";
import { answerClientErrors } from "./client-errors.js";
import { DEFAULT_CONNECTION_LIMITS, guardConnections, httpTimeouts, type ConnectionLimits } from "./connection-limits.js";
import { InFlight } from "./in-flight.js";
import { DEFAULT_HOST, DEFAULT_PORT, listen } from "./listen.js";
import { loadOrCreateLocalKey } from "./local-key.js";
import { ModelCatalog } from "./model-catalog.js";
import { DEFAULT_MAX_BODY_BYTES } from "./request-body.js";
import { requestHandler } from "./request-handler.js";
import { DEFAULT_RESPONSE_STORE_LIMITS, keyScope, ResponseStore, type ResponseStoreLimits } from "./response-store.js";
import { apiRoutes } from "./router.js";

export { DEFAULT_HOST, DEFAULT_PORT } from "./listen.js";

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
  /** The server's own notices (`warning`: connections refused over the cap, at most one per 10 s). */
  onNotice?: NoticeHandler;
  /** How long `close()` waits for in-flight requests by default (10 s). */
  drainTimeoutMs?: number;
  /** Connection cap and timeouts; each defaults to DEFAULT_CONNECTION_LIMITS. */
  limits?: Partial<ConnectionLimits>;
  /** Largest request body after decompression (default 32 MiB); larger is a 413. */
  maxBodyBytes?: number;
  /**
   * The store behind `previous_response_id` and `/v1/responses/{id}` (response-store.ts):
   * count and byte limits, and hours to keep responses on disk (0, the default: memory only).
   */
  responseStore?: Partial<ResponseStoreLimits>;
  /**
   * The model for `claude-*` names on `/v1/messages`, then optional exact `NAME=MODEL`
   * overrides, comma-separated (the `claude_model` setting). Default: the provider's model.
   */
  claudeModel?: string;
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

const DEFAULT_DRAIN_MS = 10_000;

export async function startServer(options: ServerOptions = {}): Promise<LocalServer> {
  const env = options.env ?? process.env;
  const home = options.home ?? stateHome(env);
  const profile = options.profile ?? "default";
  const provider =
    typeof options.provider === "object"
      ? options.provider
      : createProvider({ httpClient: "undici", ...options.providerOptions, provider: options.provider, profile, env, home });
  // A server makes many calls: undici loads now, not on the first request.
  preloadUndici();
  const apiKey = options.apiKey ?? (await loadOrCreateLocalKey(home));
  const host = options.host ?? DEFAULT_HOST;
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  const inFlight = new InFlight();
  // Destructuring defaults: an explicit `undefined` (an unset CLI setting) means the default too.
  const { maxEntries = DEFAULT_RESPONSE_STORE_LIMITS.maxEntries, maxBytes = DEFAULT_RESPONSE_STORE_LIMITS.maxBytes, retentionHours = DEFAULT_RESPONSE_STORE_LIMITS.retentionHours } =
    options.responseStore ?? {};
  const responses = new ResponseStore({ maxEntries, maxBytes, retentionHours }, home, options.onError);
  const scope = keyScope(apiKey);
  await responses.load(scope);
  const handle = requestHandler({
    provider,
    catalog: new ModelCatalog(provider),
    errorContext: { provider: provider.id, profile },
    routes: apiRoutes(() => inFlight.size, options.claudeModel),
    inFlight,
    hostPolicy: new HostPolicy(host),
    keyCheck: new KeyCheck(apiKey),
    cors: new CorsPolicy(options.cors ?? []),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    responses: { store: responses, scope },
    logBodies: options.logBodies,
    onLog: options.onLog,
    onError: options.onError,
  });

  const server = createHttpServer({ ...httpTimeouts(limits), ServerResponse: Answer }, (req, res) => {
    // A refused socket already has its 503; whatever it sends after is not answered.
    if (!connections.admitted(req.socket)) return;
    connections.requestStarted(req.socket);
    clientErrors.track(res);
    void handle(req, res);
  });
  const connections = guardConnections(server, limits, (message) => options.onNotice?.({ code: "warning", message }));
  const clientErrors = answerClientErrors(server, options.onLog);
  let url: string;
  try {
    url = await listen(server, options.port ?? DEFAULT_PORT, host);
  } catch (error) {
    // Not serving after all: the scope's files are free for the next attempt.
    await responses.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    baseUrl: `${url}/v1`,
    apiKey,
    provider,
    inFlight: () => inFlight.size,
    close(closeOptions = {}) {
      // A second call (a second Ctrl-C) stops waiting for in-flight requests.
      if (closing) inFlight.stopWaiting();
      // Responses answered while draining are on disk before close() resolves.
      return (closing ??= inFlight.drain(server, closeOptions.drainTimeoutMs ?? options.drainTimeoutMs ?? DEFAULT_DRAIN_MS).then(() => responses.close()));
    },
  };
}
