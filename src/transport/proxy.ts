// Which proxy, if any, a request goes through. The rules are curl's and undici's
// (undici lib/dispatcher/env-http-proxy-agent.js; curl's CURLOPT_NOPROXY page):
// lower-case variables before upper-case ones, `https_proxy` for https:// URLs (falling
// back to `all_proxy`, then to `http_proxy` as undici does), `http_proxy` then
// `all_proxy` for http:// URLs; NO_PROXY lists hosts reached directly: `*` for all,
// `example.com` or `.example.com` for the domain and its subdomains, IP addresses,
// and an optional `:port`; CIDR blocks (`10.0.0.0/8`, `fd00::/8`) match IP-literal
// hosts, as reqwest (Codex CLI's client) and curl ≥ 7.86 read them (no DNS lookup).
// Loopback is proxied too unless NO_PROXY names it.
// This module only decides; proxy-connect.ts opens the connections.
import type { BlockList } from "node:net";
import { ProviderError } from "../errors.js";
import { registerSecret } from "../redact.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface ProxyServer {
  url: URL;
  /** Where the address came from (`HTTPS_PROXY`, `--proxy`, …), for messages. */
  origin: string;
  /** `Proxy-Authorization` value when the URL carries `user:pass@`. */
  authorization?: string;
}

interface NoProxyEntry {
  host: string;
  /** 0: any port. */
  port: number;
}

/** A proxy address as configured; parsed (and checked) when a request first needs it. */
interface ProxyChoice {
  text: string;
  origin: string;
}

export interface ProxySettings {
  http?: ProxyChoice;
  https?: ProxyChoice;
  /** `*`: every host is reached directly. */
  bypassAll: boolean;
  noProxy: NoProxyEntry[];
  /** NO_PROXY's CIDR blocks; undefined when it has none. */
  noProxyNets?: BlockList;
}

export interface ProxyOptions {
  /** One proxy for every request (the `proxy` setting / `--proxy`); NO_PROXY still applies. */
  proxy?: string;
  /** Where `proxy` came from, for messages; default "proxy". */
  proxyOrigin?: string;
  /** Variables to read; default process.env. */
  env?: Env;
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/** node:net (and the stream modules under it) loads for NO_PROXY's CIDR blocks only, not at import. */
const net = () => process.getBuiltinModule("node:net");

/** The first variable of `names` that is set and not empty, with its name. */
function firstSet(env: Env, names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

function parseProxyServer(text: string, origin: string): ProxyServer {
  // curl accepts `host:port` without a scheme and means http://.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  const url = URL.canParse(withScheme) ? new URL(withScheme) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
    const scheme = url?.protocol ?? "";
    throw new ProviderError("config_error", `${origin}: expected an http:// or https:// proxy URL${scheme.startsWith("socks") ? " (SOCKS proxies are not supported)" : ""}, got ${JSON.stringify(maskCredentials(text))}.`);
  }
  let authorization: string | undefined;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const basic = Buffer.from(`${user}:${password}`).toString("base64");
    authorization = `Basic ${basic}`;
    // Every form the credentials can take in a message: as typed, decoded, and encoded.
    for (const secret of [url.password, password, basic, `${url.username}:${url.password}`]) registerSecret(secret);
  }
  return { url, origin, authorization };
}

/** `http://***@proxy:3128`: the proxy as messages show it. */
export function describeProxy(proxy: ProxyServer): string {
  return `${proxy.url.protocol}//${proxy.url.username || proxy.url.password ? "***@" : ""}${proxy.url.host} (from ${proxy.origin})`;
}

function maskCredentials(text: string): string {
  return text.replace(/\/\/[^/@]*@/, "//***@");
}

/** `1.2.3.0/24` or `fd00::/8` as a block; undefined for anything else (then it is a host name). */
function cidr(raw: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(raw);
  const family = match && net().isIP(match[1]);
  if (!match || !family) return undefined;
  const prefix = Number(match[2]);
  return prefix <= (family === 4 ? 32 : 128) ? { address: match[1], prefix, family: family === 4 ? "ipv4" : "ipv6" } : undefined;
}

/** `host`, `.host`, `*.host`, `host:port`, `1.2.3.4`, `::1`, `[::1]:443`, `10.0.0.0/8`; separated by commas or whitespace. */
export function parseNoProxy(value: string): { bypassAll: boolean; entries: NoProxyEntry[]; nets?: BlockList } {
  const entries: NoProxyEntry[] = [];
  let bypassAll = false;
  let nets: BlockList | undefined;
  for (const raw of value.split(/[\s,]+/)) {
    if (!raw) continue;
    if (raw === "*") {
      bypassAll = true;
      continue;
    }
    const block = cidr(raw);
    if (block) {
      nets ??= new (net().BlockList)();
      nets.addSubnet(block.address, block.prefix, block.family);
      continue;
    }
    let host = raw;
    let port = 0;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
    const hostPort = /^([^:]+):(\d+)$/.exec(raw);
    if (bracketed) {
      host = bracketed[1];
      port = Number(bracketed[2] ?? 0);
    } else if (hostPort) {
      // Exactly one colon: a host and a port. A bare IPv6 address has several.
      host = hostPort[1];
      port = Number(hostPort[2]);
    }
    host = host.toLowerCase().replace(/^\*?\./, "").replace(/\.$/, "");
    if (host) entries.push({ host, port });
  }
  return { bypassAll, entries, nets };
}

export function proxySettings(options: ProxyOptions = {}): ProxySettings {
  const env = options.env ?? process.env;
  const choice = (names: string[]): ProxyChoice | undefined => {
    const found = firstSet(env, names);
    return found && { text: found.value, origin: found.name };
  };
  const { bypassAll, entries, nets } = parseNoProxy(firstSet(env, ["no_proxy", "NO_PROXY"])?.value ?? "");
  if (options.proxy) {
    const only = { text: options.proxy, origin: options.proxyOrigin ?? "proxy" };
    // A configured proxy is checked (and its credentials registered) at once.
    parsedProxy(only);
    return { http: only, https: only, bypassAll, noProxy: entries, noProxyNets: nets };
  }
  // Upper-case HTTP_PROXY is read too, as undici does (curl skips it: CGI servers set it from a request header).
  const http = choice(["http_proxy", "HTTP_PROXY"]);
  const all = choice(["all_proxy", "ALL_PROXY"]);
  return { http: http ?? all, https: choice(["https_proxy", "HTTPS_PROXY"]) ?? all ?? http, bypassAll, noProxy: entries, noProxyNets: nets };
}

/** Whether NO_PROXY sends `url` directly. */
export function bypassesProxy(url: URL, settings: Pick<ProxySettings, "bypassAll" | "noProxy" | "noProxyNets">): boolean {
  if (settings.bypassAll) return true;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "").toLowerCase();
  const family = settings.noProxyNets && net().isIP(host);
  if (family && settings.noProxyNets?.check(host, family === 4 ? "ipv4" : "ipv6")) return true;
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
  return settings.noProxy.some((entry) => (entry.port === 0 || entry.port === port) && (host === entry.host || host.endsWith(`.${entry.host}`)));
}

// One parse per configured address; a process sees at most a handful.
const parsed = new Map<string, ProxyServer>();

function parsedProxy(choice: ProxyChoice): ProxyServer {
  const key = `${choice.origin}\n${choice.text}`;
  let server = parsed.get(key);
  if (!server) parsed.set(key, (server = parseProxyServer(choice.text, choice.origin)));
  return server;
}

let current: ProxySettings | undefined;

/**
 * Set the proxy rules for every request this process makes (the CLI calls it with the
 * `proxy` setting). Without a call, the variables of process.env apply, read once.
 * Throws `config_error` when `proxy` is not an http:// or https:// URL; a bad variable
 * fails the first request that would use it.
 */
export function configureProxy(options: ProxyOptions = {}): void {
  parsed.clear();
  current = proxySettings(options);
}

/** The proxy for `url`, or undefined to connect directly. */
export function proxyFor(url: URL): ProxyServer | undefined {
  current ??= proxySettings();
  const choice = url.protocol === "https:" ? current.https : current.http;
  return choice && !bypassesProxy(url, current) ? parsedProxy(choice) : undefined;
}
