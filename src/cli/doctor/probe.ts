// One reachability probe for `doctor`: a bodiless GET with no credential, bounded in
// time, that reports whether the endpoint answered and the clock in its Date header.
// It goes through the library's transport, so it sees the network the way calls do.
import { ProviderError } from "../../errors.js";
import { send } from "../../transport/http.js";
import { describeProxy, proxyFor } from "../../transport/proxy.js";

/** Long enough for a slow TLS handshake, short enough that doctor never looks hung. */
export const PROBE_TIMEOUT_MS = 5_000;

export interface ProbeResult {
  name: string;
  url: string;
  /** The server answered with something other than a 5xx (a 401 or 404 without a credential still proves the route). */
  reachable: boolean;
  status?: number;
  ms: number;
  /** Why it was not reachable: the error code and message, or the 5xx. */
  error?: string;
  /** The proxy the request went through (`http://***@host:port (from HTTPS_PROXY)`), or "direct". */
  via: string;
  /** Server clock minus ours, from the Date header, at the midpoint of the exchange. */
  skewMs?: number;
}

export async function probe(name: string, url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const started = Date.now();
  let via = "direct";
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const proxy = proxyFor(new URL(url));
    if (proxy) via = describeProxy(proxy);
    const response = await send({ url, method: "GET", headers: { accept: "application/json" }, signal, headersTimeoutMs: timeoutMs });
    const received = Date.now();
    response.destroy();
    const date = Date.parse(response.headers.date ?? "");
    const skewMs = Number.isNaN(date) ? undefined : Math.round(date - (started + received) / 2);
    const reachable = response.status < 500;
    return { name, url, via, reachable, status: response.status, ms: received - started, skewMs, error: reachable ? undefined : `HTTP ${response.status}` };
  } catch (error) {
    const detail = signal.aborted ? `no answer within ${timeoutMs / 1000} s` : error instanceof ProviderError ? `${error.code}: ${error.message}` : String(error);
    return { name, url, via, reachable: false, ms: Date.now() - started, error: detail };
  }
}
