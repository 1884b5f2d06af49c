// The HTTP server: records each request, reads its body, routes by prefix
// (/auth → auth half, /v1 → Platform/SIWC, /backend-api → ChatGPT backend,
// /__emulator → admin), writes one access-log line, and tracks sockets so close()
// can end idle streams and keep-alive connections at once.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import type { EmulatorContext } from "./context.js";
import { type HttpError, invalidUrl, openaiError } from "./errors.js";
import { Exchange } from "./http.js";
import { handleAdmin } from "./routes/admin.js";
import { handleCodexModels, handleCodexResponses, handleUsage } from "./routes/backend.js";
import { handleChatCompletions } from "./routes/chat-completions.js";
import { handleModels, handleResponses } from "./routes/platform.js";
import type { RecordedRequest } from "./types.js";
import { redact } from "../redact.js";

const MAX_BODY_BYTES = 64 * 1024 * 1024;
// Benchmarks send many thousands of requests; keep the log bounded by dropping the
// oldest half in one splice when it fills (the array stays the same object).
const MAX_RECORDED = 10_000;

type Route = (ex: Exchange, ctx: EmulatorContext) => Promise<void>;

const ROUTES: Record<string, Route> = {
  "POST /v1/responses": handleResponses,
  "GET /v1/models": handleModels,
  "POST /v1/chat/completions": handleChatCompletions,
  "POST /backend-api/codex/responses": handleCodexResponses,
  "GET /backend-api/codex/models": handleCodexModels,
  "GET /backend-api/wham/usage": handleUsage,
};

export interface EmulatorServer {
  server: Server;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export function createEmulatorServer(ctx: EmulatorContext, log?: (line: string) => void): EmulatorServer {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let closing = false;
  let nextId = 0;

  const server = createServer({ keepAliveTimeout: 60_000 }, async (req, res) => {
    const started = performance.now();
    const method = req.method ?? "GET";
    const rawPath = req.url ?? "/";
    const url = new URL(rawPath, "http://emulator.invalid");
    const admin = url.pathname.startsWith("/__emulator/");
    const record: RecordedRequest = { id: ++nextId, method, path: rawPath, headers: flatHeaders(req), body: undefined, completed: false, clientAborted: false };
    // Admin traffic stays out of the log it serves.
    if (!admin) {
      if (requests.length >= MAX_RECORDED) requests.splice(0, MAX_RECORDED / 2);
      requests.push(record);
    }
    const ex = new Exchange(req, res, url, record);
    // RFC 9110 §6.6.1: an origin server with a clock sends Date; Node would send the true time.
    res.setHeader("date", new Date(Date.now() + ctx.clock.skewMs).toUTCString());
    res.once("close", () => {
      record.status = res.headersSent ? res.statusCode : record.status;
      record.completed = res.writableFinished;
      record.clientAborted = !res.writableFinished && !ex.destroyedByServer && !closing;
      const ms = (performance.now() - started).toFixed(1);
      log?.(`${method} ${redact(url.pathname)} ${record.status ?? "-"} ${ms}ms${record.clientAborted ? " aborted" : ""}`);
    });

    try {
      if (url.pathname === "/auth" || url.pathname.startsWith("/auth/")) {
        // The auth half reads its own (form or JSON) bodies, so they are not recorded here.
        const handled = await ctx.auth.handle(req, res, url.pathname.slice("/auth".length) || "/", url);
        if (!handled) ex.fail(invalidUrl(method, url.pathname));
        return;
      }
      const body = await readBody(req);
      if (!Buffer.isBuffer(body)) return ex.fail(body);
      if (body.length > 0) record.sha256 = createHash("sha256").update(body).digest("hex");
      ex.setBody(body.toString("utf8"));
      if (admin) return handleAdmin(ex, url.pathname.slice("/__emulator".length), ctx, requests);
      const route = ROUTES[`${method} ${url.pathname.replace(/\/+$/, "")}`];
      if (route) await route(ex, ctx);
      else if (url.pathname.startsWith("/backend-api/")) ex.sendJson(404, { detail: "Not Found" });
      else ex.fail(invalidUrl(method, url.pathname));
    } catch (error) {
      if (!res.headersSent) ex.fail(openaiError(500, `Emulator failure: ${redact(String(error))}`, null));
      else res.destroy();
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  return {
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** The request body, decoded per Content-Encoding (Codex may send zstd, docs/protocol.md#codex-headers). */
async function readBody(req: IncomingMessage): Promise<Buffer | HttpError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return openaiError(413, "Request body too large.", null);
    chunks.push(chunk);
  }
  const buffer = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding === "identity") return buffer;
  const decode = DECODERS[encoding];
  if (!decode) return openaiError(415, `Unsupported Content-Encoding: ${encoding}.`, null);
  try {
    return decode(buffer);
  } catch {
    return openaiError(400, `Could not decode the ${encoding} request body.`, null);
  }
}

// zstd decoding exists from Node 22.15; on older Node a zstd body gets a 415.
const DECODERS: Record<string, ((buffer: Buffer) => Buffer) | undefined> = {
  gzip: zlib.gunzipSync,
  deflate: zlib.inflateSync,
  br: zlib.brotliDecompressSync,
  zstd: (zlib as unknown as { zstdDecompressSync?: (buffer: Buffer) => Buffer }).zstdDecompressSync,
};
