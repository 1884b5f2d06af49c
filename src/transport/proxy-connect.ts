// Requests through a proxy (loaded only when one applies). https:// targets go through
// a CONNECT tunnel (RFC 9110 §9.3.6) with TLS to the target inside it, pooled per
// target by a keep-alive agent; http:// targets are sent to the proxy in absolute form
// (RFC 9112 §3.2.2). `user:pass@` in the proxy URL becomes `Proxy-Authorization: Basic`.
import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { messageOf, ProviderError } from "../errors.js";
import { describeProxy, type ProxyServer } from "./proxy.js";

/** What node:http needs to send one request along a route. */
export interface Route {
  request: typeof http.request;
  agent: http.Agent;
  protocol: string;
  hostname: string;
  port: string;
  path: string;
  /** Headers the route adds (Host and Proxy-Authorization for absolute form). */
  headers?: Record<string, string>;
  /** Set when the request goes to the proxy in absolute form: its errors and 407 are the proxy's. */
  absoluteForm?: { unreachable(error: unknown): ProviderError; refused(status: number): ProviderError };
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
}

function clientFor(proxy: ProxyServer): typeof http.request {
  return proxy.url.protocol === "https:" ? https.request : http.request;
}

/** A refusal by the proxy itself: 407 (credentials) and 403 (policy) are not worth retrying. */
function proxyRefused(proxy: ProxyServer, status: number, target: string): ProviderError {
  const where = describeProxy(proxy);
  if (status === 407) {
    return new ProviderError("proxy_error", `The proxy ${where} requires authentication (HTTP 407 Proxy Authentication Required)${proxy.authorization ? "; it refused the credentials in the proxy URL" : ""}.`, {
      status,
      hint: "Put the proxy's user name and password in its URL: http://USER:PASSWORD@HOST:PORT (percent-encode special characters).",
    });
  }
  if (status === 403) {
    return new ProviderError("proxy_error", `The proxy ${where} refused to connect to ${target} (HTTP 403).`, {
      status,
      hint: "Ask the proxy's administrator to allow this host, or add it to NO_PROXY if it is reachable directly.",
    });
  }
  return new ProviderError("network_error", `The proxy ${where} could not connect to ${target} (HTTP ${status}).`, { status, retryable: true });
}

function proxyUnreachable(proxy: ProxyServer, error: unknown): ProviderError {
  const detail = (error as NodeJS.ErrnoException)?.code ?? messageOf(error);
  return new ProviderError("network_error", `Could not reach the proxy ${describeProxy(proxy)}: ${detail}`, {
    retryable: true,
    cause: error,
    hint: `Check ${proxy.origin}, or list the host in NO_PROXY to connect directly.`,
  });
}

/**
 * An https agent whose connections are CONNECT tunnels through `proxy`. The keep-alive
 * pool is per target (the agent's socket name), so a tunnel is reused like a direct
 * TLS connection. Node calls `createConnection` with a callback for asynchronous sockets.
 */
class TunnelAgent extends https.Agent {
  constructor(private readonly proxy: ProxyServer) {
    super({ keepAlive: true });
  }

  override createConnection(args: http.ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): undefined {
    const { proxy } = this;
    // Node passes the TLS options it computed (servername, ca, …) alongside host and port.
    const options = args as tls.ConnectionOptions & { host?: string; port?: number };
    const host = options.host ?? "localhost";
    const authority = `${host.includes(":") ? `[${host}]` : host}:${options.port ?? 443}`;
    const connect = clientFor(proxy)({
      hostname: stripBrackets(proxy.url.hostname),
      port: proxy.url.port || (proxy.url.protocol === "https:" ? 443 : 80),
      method: "CONNECT",
      path: authority,
      headers: { host: authority, ...(proxy.authorization ? { "proxy-authorization": proxy.authorization } : {}) },
      agent: false,
    });
    let done = false;
    const finish = (error: Error | null, socket?: Duplex) => {
      if (done) return;
      done = true;
      callback?.(error, socket!);
    };
    // Node emits 'connect' for every answer to a CONNECT, whatever its status.
    connect.once("connect", (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        return finish(proxyRefused(proxy, response.statusCode ?? 0, authority));
      }
      if (head.length > 0) socket.unshift(head);
      const secure = tls.connect({ ...options, socket });
      finish(null, secure);
    });
    connect.once("error", (error) => finish(proxyUnreachable(proxy, error)));
    connect.end();
    return undefined;
  }
}

const tunnelAgents = new Map<string, TunnelAgent>();
const absoluteFormAgents = new Map<string, http.Agent>();

/** How to send a request for `url` through `proxy`. */
export function proxiedRoute(url: URL, proxy: ProxyServer): Route {
  // Keyed by the proxy URL; a process configures at most a few proxies.
  const key = proxy.url.href;
  if (url.protocol === "https:") {
    let agent = tunnelAgents.get(key);
    if (!agent) tunnelAgents.set(key, (agent = new TunnelAgent(proxy)));
    return { request: https.request, agent, protocol: "https:", hostname: stripBrackets(url.hostname), port: url.port, path: `${url.pathname}${url.search}` };
  }
  let agent = absoluteFormAgents.get(key);
  if (!agent) absoluteFormAgents.set(key, (agent = new (proxy.url.protocol === "https:" ? https.Agent : http.Agent)({ keepAlive: true })));
  return {
    request: clientFor(proxy),
    agent,
    protocol: proxy.url.protocol,
    hostname: stripBrackets(proxy.url.hostname),
    port: proxy.url.port,
    path: url.href,
    headers: { host: url.host, ...(proxy.authorization ? { "proxy-authorization": proxy.authorization } : {}) },
    absoluteForm: { unreachable: (error) => proxyUnreachable(proxy, error), refused: (status) => proxyRefused(proxy, status, url.host) },
  };
}
