// Hostile input to `serve` over raw sockets: malformed, oversized and truncated
// requests each get a 4xx (or, for a client that hangs up, nothing), and the server
// keeps serving afterwards. The server-side hardening lives in src/server; this
// scenario only keeps the promise checked.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startEmulator } from "#src/emulator/index.js";
import { post } from "./load-client.js";
import { startServe } from "./serve-process.js";

export interface HostileFigures {
  inputs: number;
  /** Input name -> status (0: connection closed without a response). */
  statuses: Record<string, number>;
  /** Input name -> `error.code` of the answer's OpenAI error body (null: the body was not one). */
  errorCodes: Record<string, string | null>;
  stackTracesInLog: number;
  controlCharactersInLog: number;
}

interface HostileInput {
  name: string;
  /** Raw bytes to send; `hangUp` closes the socket right after. */
  bytes: (key: string) => Buffer;
  hangUp?: boolean;
  /** The server may answer before the body is sent and reset the connection, losing the answer. */
  mayReset?: boolean;
}

function httpRequest(head: string[], body: Buffer | string = ""): Buffer {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  return Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\nconnection: close\r\n\r\n`), payload]);
}

function jsonPost(key: string, body: Buffer | string, extra: string[] = []): Buffer {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  return httpRequest(
    ["POST /v1/responses HTTP/1.1", "host: 127.0.0.1", `authorization: Bearer ${key}`, "content-type: application/json", `content-length: ${payload.length}`, ...extra],
    payload,
  );
}

const INPUTS: HostileInput[] = [
  { name: "garbage request line", bytes: () => Buffer.from("HELLO THERE\r\n\r\n") },
  { name: "invalid JSON", bytes: (key) => jsonPost(key, '{"model": "gpt-5.5", "input": ') },
  { name: "JSON that is not an object", bytes: (key) => jsonPost(key, "[1, 2, 3]") },
  { name: "wrong field types", bytes: (key) => jsonPost(key, '{"model": 5, "input": {"x": true}}') },
  { name: "invalid UTF-8", bytes: (key) => jsonPost(key, Buffer.concat([Buffer.from('{"model": "gpt-5.5", "input": "'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])) },
  { name: "corrupt gzip body", bytes: (key) => jsonPost(key, Buffer.from("\x1f\x8b\x08\x00 definitely not deflate data"), ["content-encoding: gzip"]) },
  { name: "gzip bomb (100 MB of zeros)", bytes: (key) => jsonPost(key, gzipSync(Buffer.alloc(100 * 1024 * 1024)), ["content-encoding: gzip"]) },
  { name: "unknown content-encoding", bytes: (key) => jsonPost(key, "{}", ["content-encoding: x-hostile"]) },
  { name: "body over the 64 MiB cap", bytes: (key) => jsonPost(key, Buffer.alloc(65 * 1024 * 1024, 0x20)), mayReset: true },
  { name: "80 KB header", bytes: (key) => jsonPost(key, "{}", [`x-filler: ${"a".repeat(80 * 1024)}`]) },
  { name: "bad chunk size", bytes: (key) => httpRequest(["POST /v1/responses HTTP/1.1", "host: 127.0.0.1", `authorization: Bearer ${key}`, "transfer-encoding: chunked"], "zz\r\n{}\r\n0\r\n\r\n") },
  { name: "wrong key", bytes: () => jsonPost("sk-not-the-local-key", '{"model": "gpt-5.5", "input": "hi"}') },
  { name: "unknown path", bytes: (key) => httpRequest(["GET /v1/../../etc/passwd HTTP/1.1", "host: 127.0.0.1", `authorization: Bearer ${key}`]) },
  { name: "client hangs up mid-body", bytes: (key) => jsonPost(key, '{"model": "gpt-5.5", "input": "hi"}').subarray(0, -10), hangUp: true },
];

/** Bytes of a response kept: enough for the head and an error body. */
const MAX_KEPT = 4096;

/** Send raw bytes; resolve with the response status (0 when none came) and its error code. */
function sendRaw(port: number, bytes: Buffer, hangUp: boolean): Promise<{ status: number; errorCode: string | null }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const done = () => resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0), errorCode: openAiErrorCode(received) });
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on("data", (chunk: Buffer) => (received += chunk.subarray(0, Math.max(0, MAX_KEPT - received.length)).toString("latin1")));
    socket.on("close", done);
    socket.on("error", () => undefined); // a reset after an early 413 is expected
    // No half-close: the server takes a client's FIN as leaving, and cancels the request.
    socket.write(bytes, () => (hangUp ? socket.destroy() : undefined));
  });
}

/** `error.code` when the response's body is OpenAI's error envelope, else null. */
function openAiErrorCode(response: string): string | null {
  const body = response.slice(response.indexOf("\r\n\r\n") + 4);
  try {
    const error = (JSON.parse(body) as { error?: { message?: unknown; type?: unknown; code?: unknown } }).error;
    return typeof error?.message === "string" && typeof error.type === "string" && typeof error.code === "string" ? error.code : null;
  } catch {
    return null;
  }
}

/** Each named input got a 4xx with OpenAI's error body, or nothing when the client hung up. */
export function assertRejected(figures: HostileFigures, names = INPUTS.map((input) => input.name)): void {
  for (const name of names) {
    const status = figures.statuses[name];
    const input = INPUTS.find((candidate) => candidate.name === name);
    if (input?.hangUp) assert.equal(status, 0, `${name}: no response to a client that left`);
    else if (!(input?.mayReset && status === 0)) {
      assert.ok(status >= 400 && status < 500, `${name}: expected a 4xx, got ${status || "no response"}`);
      assert.ok(figures.errorCodes[name], `${name}: the ${status} has no OpenAI error body`);
    }
  }
}

/** Sends every input; asserts that serve survives and still serves. Check statuses with assertRejected. */
export async function hostileScenario(): Promise<HostileFigures> {
  const emu = await startEmulator();
  const home = await mkdtemp(join(tmpdir(), "cp-stress-hostile-"));
  const env = { PATH: process.env.PATH ?? "", HOME: home, CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: emu.apiUrl, OPENAI_API_KEY: emu.apiKey, NO_COLOR: "1" };
  const serve = await startServe(env);
  try {
    const statuses: Record<string, number> = {};
    const errorCodes: Record<string, string | null> = {};
    for (const input of INPUTS) {
      ({ status: statuses[input.name], errorCode: errorCodes[input.name] } = await sendRaw(serve.port, input.bytes(serve.key), Boolean(input.hangUp)));
      assert.ok(serve.alive(), `serve survived: ${input.name}`);
    }
    // A forged log line and terminal escapes in a logged field: any status, no crash.
    await post(`${serve.baseUrl}/responses`, serve.key, { model: "gpt-5.5\n\x1b[31mFORGED 200", input: "hi" });
    const after = await post(`${serve.baseUrl}/responses`, serve.key, { model: "gpt-5.5", input: "still serving" });
    assert.equal(after.status, 200, "serve answers a good request after the hostile ones");
    const { stderr } = serve.output();
    const figures: HostileFigures = {
      inputs: INPUTS.length + 1,
      statuses,
      errorCodes,
      stackTracesInLog: stderr.split("\n").filter((line) => /^\s+at /.test(line)).length,
      // eslint-disable-next-line no-control-regex
      controlCharactersInLog: (stderr.match(/[\x00-\x08\x0b-\x1f\x7f]/g) ?? []).length,
    };
    return figures;
  } finally {
    await serve.stop();
    await emu.close();
    await rm(home, { recursive: true, force: true });
  }
}
