// Control routes for tests that run the emulator in another process: queue and clear
// faults, skew the Date header's clock, read the request log. Credentials are never echoed: Authorization becomes a
// scheme plus a fingerprint, enough to tell which credential was used.
import type { EmulatorContext } from "../context.js";
import { FaultError, type FaultSpec } from "../faults.js";
import type { Exchange } from "../http.js";
import { fingerprint } from "../../redact.js";
import type { RecordedRequest } from "../types.js";
import { invalidUrl, openaiError } from "../errors.js";

export function handleAdmin(ex: Exchange, path: string, ctx: EmulatorContext, requests: readonly RecordedRequest[]): void {
  const method = ex.req.method ?? "GET";
  const { faults } = ctx;
  if (path === "/faults" && method === "POST") {
    try {
      faults.push(ex.body as FaultSpec);
      return ex.sendEmpty(204);
    } catch (error) {
      if (!(error instanceof FaultError)) throw error;
      return ex.fail(openaiError(400, error.message, "emulator_invalid_fault"));
    }
  }
  if (path === "/faults" && method === "DELETE") {
    faults.clear();
    return ex.sendEmpty(204);
  }
  if (path === "/clock" && method === "POST") {
    const skewMs = (ex.body as { skewMs?: unknown } | undefined)?.skewMs;
    if (typeof skewMs !== "number" || !Number.isFinite(skewMs)) return ex.fail(openaiError(400, "Send {\"skewMs\": <number>}.", "emulator_invalid_clock"));
    ctx.clock.skewMs = skewMs;
    return ex.sendEmpty(204);
  }
  if (path === "/requests" && method === "GET") return ex.sendJson(200, requests.map(masked));
  ex.fail(invalidUrl(method, ex.url.pathname));
}

function masked(record: RecordedRequest): RecordedRequest {
  const authorization = record.headers.authorization;
  if (authorization === undefined) return record;
  const [scheme, credential] = authorization.split(/\s+/, 2);
  const shown = credential ? `${scheme} ${fingerprint(credential)}` : fingerprint(authorization);
  return { ...record, headers: { ...record.headers, authorization: shown } };
}
