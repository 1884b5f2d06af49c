// Reading a JSON request body: optional Content-Encoding, a size cap applied after
// decompression (so a small compressed body cannot expand without bound), strict
// UTF-8, and OpenAI's error shape for each way a body can be bad. A refused body is
// never torn down with its socket: the rest is read and discarded (node:http's
// request timeout bounds that), so the client gets its 400/413 instead of a reset.
import type { IncomingMessage } from "node:http";
import type { Transform } from "node:stream";
import zlib from "node:zlib";
import type { BodySource } from "../transport/body-source.js";
import { ByteChunks } from "../transport/byte-chunks.js";
import { DeferredJson } from "../transport/deferred-json.js";
import { ServerError } from "../wire/server-error.js";
import { memberSpans, OPEN_ARRAY } from "./json-member.js";

/** Large enough for base64 images in a long agent transcript. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

// zstd exists from Node 22.15; older Nodes answer 415 for it.
const DECODERS: Record<string, (() => Transform) | undefined> = {
  gzip: () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
  zstd: (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress,
};

function tooLarge(limit: number): ServerError {
  const size = limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MiB` : `${limit} bytes`;
  return new ServerError(413, `Request body larger than ${size}.`, "request_too_large");
}

const aborted = () => new ServerError(400, "The request body ended early: the client closed the connection.", "request_aborted");

/** The body's bytes after Content-Encoding, at most `limit` of them, in the chunks they came in. */
function readBytes(req: IncomingMessage, limit: number): Promise<ByteChunks> {
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const decoder = encoding === "identity" ? undefined : DECODERS[encoding];
  if (encoding !== "identity" && !decoder) return Promise.reject(new ServerError(415, `Unsupported Content-Encoding: ${encoding}.`, "unsupported_encoding"));
  if (Number(req.headers["content-length"]) > limit && !decoder) return Promise.reject(tooLarge(limit));

  return new Promise((resolve, reject) => {
    const decoded = decoder?.();
    const source = decoded ? req.pipe(decoded) : req;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error?: ServerError) => {
      if (settled) return;
      settled = true;
      if (!error) return resolve(new ByteChunks(chunks));
      chunks.length = 0;
      if (decoded) {
        req.unpipe(decoded);
        decoded.destroy();
      }
      source.off("data", onData);
      // Discard the rest so the answer reaches a client that is still sending.
      req.resume();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return settle(tooLarge(limit));
      chunks.push(chunk);
    };
    source.on("data", onData);
    source.once("end", () => settle());
    // The client went away before the body was complete.
    req.once("error", () => settle(aborted()));
    req.once("close", () => {
      if (!req.complete) settle(aborted());
    });
    decoded?.once("error", () => settle(new ServerError(400, `Could not decode the ${encoding} request body.`, "invalid_body")));
  });
}

const notUtf8 = () => new ServerError(400, "The request body is not valid UTF-8; JSON bodies must be UTF-8.", "invalid_body");

function decodeUtf8(bytes: ByteChunks): string {
  if (!bytes.isUtf8()) throw notUtf8();
  return bytes.toString();
}

/** Under this size a member is parsed with the rest: finding it would cost more than it saves. */
const DEFER_FROM_BYTES = 32 * 1024;
/**
 * Under this size a member named `alongside` is parsed with the rest. Once a body is
 * scanned for its large member, finding the others is free; parsing a Codex turn's
 * ~22 KB instructions and ~5 KB of tool schemas cost ~30 µs (docs/PERFORMANCE.md,
 * "Seventeenth pass").
 */
const ALONGSIDE_FROM_BYTES = 1024;

/** Members of a large body that may be left as their text (readJsonBody). */
export interface Deferral {
  /** Left as text when it is an array of 32 KiB or more; only then are the others. */
  readonly member: string;
  /** Left as text too, each when 1 KiB or more, if `member` is. */
  readonly alongside: readonly string[];
}

const invalidJson = () =>
  new ServerError(400, "We could not parse the JSON body of your request. The body must be a JSON object (Content-Type: application/json).", "invalid_json");

/**
 * The body's value, and its bytes (after Content-Encoding, BOM left out) to send on as
 * they came. `deferred`: members that, in a large body, are left as their text (each a
 * DeferredJson) for whatever reads them to parse (settled()); the rest of the body is
 * parsed and the whole checked to be UTF-8 now. Their text is checked to be JSON only
 * when read: a body sent on unread gets the upstream's verdict, as through any proxy.
 */
export async function readJsonBody(req: IncomingMessage, limit: number, deferred?: Deferral): Promise<BodySource> {
  const received = await readBytes(req, limit);
  // A byte order mark is skipped (RFC 8259 §8.1 lets a parser ignore one), and left out of a body sent on.
  const bytes = hasBom(received) ? received.subarray(3) : received;
  const value = (deferred !== undefined && bytes.length >= DEFER_FROM_BYTES && withDeferred(bytes, deferred)) || parseObject(decodeUtf8(bytes));
  return { value, bytes };
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidJson();
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ServerError(400, "The request body must be a JSON object.", "invalid_json");
  }
  return value as Record<string, unknown>;
}

/** The body with `deferral`'s members left unparsed, or undefined when its `member` is not one large array, once. */
function withDeferred(bytes: ByteChunks, deferral: Deferral): Record<string, unknown> | undefined {
  const spans = memberSpans(bytes, [deferral.member, ...deferral.alongside]);
  const main = spans?.get(deferral.member);
  if (!spans || !main || main.repeated || main.end - main.start < DEFER_FROM_BYTES || bytes.at(main.start) !== OPEN_ARRAY) return undefined;
  const left = [...spans].filter(([name, span]) => name === deferral.member || (!span.repeated && span.end - span.start >= ALONGSIDE_FROM_BYTES));
  left.sort(([, a], [, b]) => a.start - b.start);
  const members = left.map(([name, span]) => [name, bytes.subarray(span.start, span.end)] as const);
  // Each checked on its own: a member's value starts and ends with an ASCII quote or bracket, so no character is cut.
  for (const [, member] of members) if (!member.isUtf8()) throw notUtf8();
  // The rest, each member's value written as 0: decoded and parsed as any body is, then given the members' text.
  let rest = "";
  let from = 0;
  for (const [, span] of left) {
    rest += `${decodeUtf8(bytes.subarray(from, span.start))}0`;
    from = span.end;
  }
  const value = parseObject(rest + decodeUtf8(bytes.subarray(from)));
  for (const [name, member] of members) value[name] = new DeferredJson(member, invalidJson);
  return value;
}

function hasBom(bytes: ByteChunks): boolean {
  return bytes.at(0) === 0xef && bytes.at(1) === 0xbb && bytes.at(2) === 0xbf;
}

/** A required string field, or OpenAI's 400 for it. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") throw new ServerError(400, `Missing required parameter: '${field}'.`, "missing_required_parameter", { param: field });
  return value;
}
