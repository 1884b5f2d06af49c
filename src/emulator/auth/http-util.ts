// Request parsing and response writing shared by the auth routes.
import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_BODY_BYTES = 64 * 1024;

/** Thrown by handlers and helpers; `handle` turns it into a response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** RFC 6749 §5.2 error body: `{"error": code, "error_description": text}`. */
export function oauthError(status: number, error: string, description: string): HttpError {
  return new HttpError(status, { error, error_description: description });
}

/** OpenAI API-style nested error body: `{"error":{message,type,param,code}}`. */
export function apiError(status: number, code: string, message: string): HttpError {
  return new HttpError(status, { error: { message, type: "invalid_request_error", param: null, code } });
}

export type BodyEncoding = "form" | "json";
export interface ParsedBody {
  encoding: BodyEncoding;
  params: Record<string, string>;
}

/**
 * Read a form or JSON body into string parameters. Anything else, a repeated form
 * parameter (RFC 6749 §3.2 forbids them) or a non-string JSON value is `invalid_request`.
 */
export async function readParams(req: IncomingMessage, accepted: BodyEncoding[]): Promise<ParsedBody> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const encoding: BodyEncoding | undefined =
    type === "application/x-www-form-urlencoded" ? "form" : type === "application/json" ? "json" : undefined;
  if (!encoding || !accepted.includes(encoding)) {
    const names = accepted.map((e) => (e === "form" ? "application/x-www-form-urlencoded" : "application/json"));
    throw oauthError(400, "invalid_request", `Content-Type must be ${names.join(" or ")}`);
  }
  const text = await readText(req);
  return { encoding, params: encoding === "form" ? parseForm(text) : parseJsonObject(text) };
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw oauthError(413, "invalid_request", "request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseForm(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(params, key)) throw oauthError(400, "invalid_request", `parameter ${key} repeated`);
    params[key] = value;
  }
  return params;
}

function parseJsonObject(text: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw oauthError(400, "invalid_request", "body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw oauthError(400, "invalid_request", "body must be a JSON object");
  }
  const params: Record<string, string> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null || field === undefined) continue;
    if (typeof field !== "string") throw oauthError(400, "invalid_request", `${key} must be a string`);
    params[key] = field;
  }
  return params;
}

/** Query parameters, rejecting repeats as RFC 6749 §3.1 requires. */
export function queryParams(url: URL): Record<string, string> {
  return parseForm(url.search.slice(1));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // Token-bearing answers must not be cached (RFC 6749 §5.1); harmless elsewhere.
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    pragma: "no-cache",
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { "content-length": "0", "cache-control": "no-store" });
  res.end();
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(html)),
    "cache-control": "no-store",
  });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "content-length": "0", "cache-control": "no-store" });
  res.end();
}

/** Append query parameters to a (validated) redirect URI, skipping undefined values. */
export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The bearer credential of a request, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

/** The port of a redirect URI matching `pattern` (group 1 = port), or undefined. */
export function redirectPort(pattern: RegExp, uri: string | undefined): number | undefined {
  const port = Number(uri === undefined ? NaN : pattern.exec(uri)?.[1]);
  return port >= 1 && port <= 65535 ? port : undefined;
}
