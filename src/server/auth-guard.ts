// Who may talk to the local server. Three independent checks, in this order:
// 1. Host header (DNS-rebinding guard): a web page on evil.example that re-points its
//    name at 127.0.0.1 still sends `Host: evil.example`, so only loopback names (and,
//    when bound to a non-loopback address, IP literals and the bound name) pass.
// 2. Origin: browsers are refused unless `--cors ORIGIN` named the page's origin.
// 3. The local key, compared in constant time.
import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { IncomingMessage } from "node:http";
import { writeHead, type Answer } from "./answer.js";
import { ServerError } from "../wire/server-error.js";

/** The host part of a Host header (`[::1]:8787` -> `::1`), lower-cased. */
function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(1, value.indexOf("]") < 0 ? undefined : value.indexOf("]"));
  const colon = value.lastIndexOf(":");
  // A bare IPv6 address has several colons and no port.
  return colon >= 0 && value.indexOf(":") === colon ? value.slice(0, colon) : value;
}

export function isLoopbackName(host: string): boolean {
  const name = host.replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true; // RFC 6761: never resolved via DNS
  if (isIP(name) === 4) return name.startsWith("127.");
  if (name === "::1" || name.startsWith("::ffff:127.")) return true;
  return false;
}

export class HostPolicy {
  private readonly bindHost: string;
  private readonly bindIsLoopback: boolean;
  /** The last Host header let through: a client sends the same one on every request. */
  private lastAllowed?: string;

  constructor(bindHost: string) {
    this.bindHost = hostName(bindHost.includes(":") && !bindHost.startsWith("[") ? `[${bindHost}]` : bindHost);
    this.bindIsLoopback = isLoopbackName(this.bindHost);
  }

  allows(header: string | undefined): boolean {
    if (!header) return false;
    if (header === this.lastAllowed) return true;
    if (!this.judge(hostName(header))) return false;
    this.lastAllowed = header;
    return true;
  }

  private judge(host: string): boolean {
    if (isLoopbackName(host)) return true;
    if (this.bindIsLoopback) return false;
    // Reachable from the network on purpose: an IP literal cannot be rebound, and the
    // bound name is one the user chose.
    return isIP(host) !== 0 || host === this.bindHost;
  }
}

export class KeyCheck {
  private readonly key: Buffer;

  constructor(key: string) {
    this.key = Buffer.from(key, "utf8");
  }

  /**
   * Throws a 401 unless the request carries the local key as `Authorization: Bearer <key>`
   * (OpenAI clients) or `x-api-key: <key>` (Anthropic clients).
   */
  verify(authorization: string | undefined, apiKey?: string | string[]): void {
    const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
    const key = bearer ?? (typeof apiKey === "string" ? apiKey.trim() : undefined);
    if (!key) {
      throw unauthorized("Missing local API key. Send it as `Authorization: Bearer <key>` or `x-api-key: <key>`; print it with `codex-provider serve --print-key`.");
    }
    // Byte for byte in constant time. Only the length can show in the timing, and the
    // length is no secret: it is the format's (`serve --print-key`), or the user's own choice.
    const presented = Buffer.from(key, "utf8");
    if (presented.length !== this.key.length || !timingSafeEqual(presented, this.key)) {
      throw unauthorized("Incorrect local API key. Print the right one with `codex-provider serve --print-key`.");
    }
  }
}

function unauthorized(message: string): ServerError {
  return new ServerError(401, message, "invalid_api_key", { headers: { "www-authenticate": 'Bearer realm="codex-provider"' } });
}

/** Response headers a browser needs to read our answers; ours are named here once. */
const EXPOSED_HEADERS = "x-request-id, x-codex-provider-dropped-params, x-codex-provider-fallback, x-upstream-request-id, x-codex-provider-token-count";

export class CorsPolicy {
  private readonly origins: Set<string>;

  constructor(origins: readonly string[]) {
    this.origins = new Set(origins.map((origin) => origin.replace(/\/+$/, "")));
  }

  /**
   * Applies the CORS rules. Returns true when the request was a preflight and has been
   * answered; throws a 403 for a browser origin that was not allowed.
   */
  handle(req: IncomingMessage, res: Answer): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    if (!this.origins.has(origin)) {
      throw new ServerError(
        403,
        this.origins.size === 0
          ? `Browser requests are refused (Origin: ${origin}). Start the server with --cors ${origin} to allow this page.`
          : `Origin ${origin} is not allowed; allowed: ${[...this.origins].join(", ")}.`,
        "origin_not_allowed",
      );
    }
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("vary", "Origin");
    res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
    if (req.method !== "OPTIONS") return false;
    const requested = req.headers["access-control-request-headers"];
    writeHead(res, 204, {
      "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
      // Echo only header-name characters: the SDK's x-stainless-* set changes between versions.
      "access-control-allow-headers": typeof requested === "string" ? requested.replace(/[^A-Za-z0-9\-_, ]/g, "") : "authorization, content-type",
      "access-control-max-age": "600",
    });
    res.end();
    return true;
  }
}

export function forbiddenHost(header: string | undefined): ServerError {
  return new ServerError(
    403,
    `Host "${header ?? ""}" is not a loopback name. Connect through 127.0.0.1, [::1] or localhost (this guards against DNS rebinding).`,
    "forbidden_host",
  );
}
