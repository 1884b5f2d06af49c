// Reading a JSON request body: optional Content-Encoding, a size cap applied after
// decompression (so a small compressed body cannot expand without bound), and
// OpenAI's wording for an unparseable body.
import type { IncomingMessage } from "node:http";
import { pipeline } from "node:stream/promises";
import { Writable, type Transform } from "node:stream";
import zlib from "node:zlib";
import { ServerError } from "../wire/server-error.js";

/** Large enough for base64 images in a long agent transcript. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

// zstd exists from Node 22.15; older Nodes answer 415 for it.
const DECODERS: Record<string, (() => Transform) | undefined> = {
  gzip: () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
  zstd: (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress,
};

async function readText(req: IncomingMessage, limit: number): Promise<string> {
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const decoder = encoding === "identity" ? undefined : DECODERS[encoding];
  if (encoding !== "identity" && !decoder) throw new ServerError(415, `Unsupported Content-Encoding: ${encoding}.`, "unsupported_encoding");
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) return callback(new ServerError(413, `Request body larger than ${limit / (1024 * 1024)} MiB.`, "request_too_large"));
      chunks.push(chunk);
      callback();
    },
  });
  try {
    await (decoder ? pipeline(req, decoder(), sink) : pipeline(req, sink));
  } catch (error) {
    if (error instanceof ServerError) throw error;
    if (decoder && !req.destroyed) throw new ServerError(400, `Could not decode the ${encoding} request body.`, "invalid_body");
    throw error;
  }
  return Buffer.concat(chunks).toString("utf8");
}

export interface JsonBody {
  value: Record<string, unknown>;
  /** The text as received, for `--log-bodies`. */
  text: string;
}

export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<JsonBody> {
  const text = await readText(req, limit);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ServerError(
      400,
      "We could not parse the JSON body of your request. The body must be a JSON object (Content-Type: application/json).",
      "invalid_json",
    );
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ServerError(400, "The request body must be a JSON object.", "invalid_json");
  }
  return { value: value as Record<string, unknown>, text };
}

/** A required string field, or OpenAI's 400 for it. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") throw new ServerError(400, `Missing required parameter: '${field}'.`, "missing_required_parameter", { param: field });
  return value;
}
