// The loopback listener that receives the OAuth redirect (RFC 8252 §7.3). It only
// accepts GET on the expected path with the expected `state`; it never kills another
// listener — a busy port is reported (or the next candidate port is tried).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ProviderError } from "../../errors.js";

export interface CallbackServerOptions {
  /** Interface to bind; "127.0.0.1" by default (SIWC forbids `localhost`). */
  host?: string;
  /** Candidate ports, tried in order; 0 = any free port. */
  ports: number[];
  /** Redirect path; "/auth/callback" by default. */
  path?: string;
  expectedState: string;
  /** How long to wait for the redirect; 5 minutes by default. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Shown on the result pages. */
  appName?: string;
}

export interface CallbackResult {
  code: string;
  state: string;
  params: URLSearchParams;
}

export interface CallbackServer {
  port: number;
  wait(): Promise<CallbackResult>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const ENTITLEMENT_MESSAGE =
  "Codex is not enabled for your workspace. Contact your workspace administrator to request access to Codex.";

export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const host = options.host ?? "127.0.0.1";
  const path = options.path ?? "/auth/callback";
  const appName = options.appName ?? "codex-provider";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (options.signal?.aborted) throw new ProviderError("aborted", "Sign-in was aborted.");

  let settled = false;
  let resolveResult!: (result: CallbackResult) => void;
  let rejectResult!: (error: ProviderError) => void;
  const result = new Promise<CallbackResult>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  // The outcome may arrive before anyone calls wait(); don't let it become unhandled.
  result.catch(() => undefined);

  const finish = (outcome: CallbackResult | ProviderError): void => {
    if (settled) return;
    settled = true;
    cleanup();
    if (outcome instanceof ProviderError) rejectResult(outcome);
    else resolveResult(outcome);
  };

  const server = createServer((request, response) => {
    const outcome = handleRequest(request, response, { path, expectedState: options.expectedState, appName, settled });
    if (outcome) finish(outcome);
  });
  const port = await listenOnFirstFree(server, host, options.ports);

  const timer = setTimeout(
    () => finish(new ProviderError("login_failed", `Sign-in timed out after ${describeDuration(timeoutMs)} waiting for the browser.`)),
    timeoutMs,
  );
  timer.unref();
  const onAbort = (): void => finish(new ProviderError("aborted", "Sign-in was aborted."));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  function cleanup(): void {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }

  let closed: Promise<void> | undefined;
  return {
    port,
    wait: () => result,
    close() {
      closed ??= new Promise<void>((resolve) => {
        finish(new ProviderError("aborted", "Sign-in listener was closed."));
        server.close(() => resolve());
        // Browsers keep connections alive; drop them so the port is freed now.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

interface HandlerContext {
  path: string;
  expectedState: string;
  appName: string;
  settled: boolean;
}

/** Answers one request; returns the login outcome when this request decides it. */
function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  context: HandlerContext,
): CallbackResult | ProviderError | undefined {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  if (request.method !== "GET" || url.pathname !== context.path) {
    sendPage(response, 404, "Not found", "This address is not part of the sign-in.");
    return undefined;
  }
  if (context.settled) {
    sendPage(response, 409, "Already handled", "This sign-in has already finished. You can close this tab.");
    return undefined;
  }
  const params = url.searchParams;
  const state = params.get("state");
  if (state !== context.expectedState) {
    // Could be a stale tab or a forged request; the real redirect may still come.
    sendPage(response, 400, "State mismatch", "This sign-in link does not belong to the current attempt. Start the sign-in again from your terminal.");
    return undefined;
  }
  const error = params.get("error");
  if (error) {
    const message = errorMessage(error, params.get("error_description"));
    sendPage(response, 200, "Sign-in failed", `${message} You can close this tab.`);
    return new ProviderError("login_failed", message, { upstreamCode: error });
  }
  const code = params.get("code");
  if (!code) {
    sendPage(response, 400, "Sign-in failed", "The redirect did not include an authorization code.");
    return new ProviderError("login_failed", "Sign-in failed: the redirect is missing the authorization code.");
  }
  sendPage(response, 200, `Signed in to ${context.appName}`, "You can close this tab and return to your terminal.");
  return { code, state, params };
}

function errorMessage(error: string, description: string | null): string {
  if (description?.includes("missing_codex_entitlement")) return ENTITLEMENT_MESSAGE;
  // Keep the server's reason (e.g. "No eligible ChatGPT workspaces found.") when it gives one.
  if (error === "access_denied") return `Sign-in was cancelled or denied${description ? `: ${description}` : "."}`;
  return `Sign-in failed: ${error}${description ? ` (${description})` : ""}.`;
}

function sendPage(response: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;margin:3em"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
  response.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    Connection: "close",
  });
  response.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function describeDuration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

async function listenOnFirstFree(server: Server, host: string, ports: number[]): Promise<number> {
  for (const port of ports) {
    try {
      await listen(server, host, port);
      return (server.address() as AddressInfo).port;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EADDRINUSE" && code !== "EACCES") {
        throw new ProviderError("login_failed", `Cannot listen on ${host}:${port}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  const list = ports.join(", ");
  throw new ProviderError("login_failed", `Port(s) ${list} are in use on ${host}; cannot receive the sign-in redirect.`, {
    hint:
      `Pass --port N to use another port. The port may be held by another sign-in that is still waiting ` +
      `(codex-provider or the Codex CLI) or by a local proxy; finish or stop it yourself — it is never stopped for you.`,
  });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
