// Fault injection. A fault comes from the request header
// `x-emulator-fault: <name>[;key=value…]` or from the instance queue (`setFault`,
// `POST /__emulator/faults`). This module parses and selects faults and answers the
// ones that replace the whole response; stream-shaping faults are turned into a plan
// that the SSE player (sse.ts) and the event builders follow.
import {
  type HttpError,
  openaiError,
  overloaded,
  platformQuotaExceeded,
  rateLimited,
  serverError,
  siwcUsageLimit,
  siwcUsageUnavailable,
} from "./errors.js";
import type { Exchange } from "./http.js";

const FAULT_NAMES = [
  "rate_limit",
  "usage_limit",
  "server_error",
  "overloaded",
  "unavailable",
  "reset",
  "truncate",
  "crlf",
  "cr",
  "idle",
  "slow",
  "malformed",
  "failed",
  "incomplete",
  "error_event",
  "status",
  // Answer shapes rather than failures (responder.ts AnswerShape).
  "refusal",
  "commentary",
  "annotations",
  "reasoning_text",
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface FaultSpec {
  name: FaultName;
  /** Requests this fault applies to. Instance faults default to 1; header faults without it apply to every request carrying them. */
  times?: number;
  /** rate_limit: delay announced in `retry-after` (seconds, default 0.02). */
  retryAfter?: number;
  /** rate_limit: delay in milliseconds (wins over retryAfter). */
  retryAfterMs?: number;
  /** rate_limit: false omits the retry headers so only the message carries the delay. */
  headers?: boolean;
  /** Mid-stream faults: text deltas sent before the fault strikes (default 2). */
  after?: number;
  /**
   * reset / truncate / idle / malformed: strike just before the first event of this type
   * instead (wins over `after`). `truncate;before=response.created` ends a ChatGPT backend
   * stream right after the informational `codex.rate_limits` it opens with
   * (docs/protocol.md#codex-rate-limits): nothing of the response has been sent yet. (A
   * reset there may take the event with it: a client's kernel drops unread data on RST.)
   */
  before?: string;
  /** slow: delay before every event (default 20 ms). */
  delayMs?: number;
  /** status: HTTP status (default 500). */
  status?: number;
  /** status / failed / error_event: error code. */
  code?: string;
  /** status: error type. */
  type?: string;
  message?: string;
  param?: string;
  /** status: answer `{"detail": …}` instead of the error envelope. */
  detail?: string;
  /** incomplete: `incomplete_details.reason` (default max_output_tokens). */
  reason?: string;
}

export class FaultError extends Error {}

const NUMBER_KEYS = new Set(["times", "retryAfter", "retryAfterMs", "after", "delayMs", "status"]);
const STRING_KEYS = new Set(["code", "type", "message", "param", "detail", "reason", "before"]);

/** Validate a spec from any source; accepts camelCase or snake_case keys. */
function normalizeFault(input: unknown): FaultSpec {
  if (!input || typeof input !== "object") throw new FaultError("fault must be an object with a name");
  const raw = input as Record<string, unknown>;
  const name = raw.name;
  if (typeof name !== "string" || !(FAULT_NAMES as readonly string[]).includes(name)) {
    throw new FaultError(`unknown emulator fault '${String(name)}' (known: ${FAULT_NAMES.join(", ")})`);
  }
  const spec: FaultSpec = { name: name as FaultName };
  for (const [rawKey, value] of Object.entries(raw)) {
    const key = rawKey.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (key === "name") continue;
    if (NUMBER_KEYS.has(key)) {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new FaultError(`fault ${name}: ${rawKey} must be a non-negative number`);
      (spec as unknown as Record<string, unknown>)[key] = n;
    } else if (STRING_KEYS.has(key)) {
      (spec as unknown as Record<string, unknown>)[key] = String(value);
    } else if (key === "headers") {
      spec.headers = !(value === false || value === "false" || value === "0");
    } else {
      throw new FaultError(`fault ${name}: unknown option '${rawKey}'`);
    }
  }
  return spec;
}

/** Parse `rate_limit;times=2;retry_after=0.05`. Values may be percent-encoded. */
function parseFaultHeader(value: string): FaultSpec {
  const [name, ...pairs] = value.split(";").map((part) => part.trim());
  const raw: Record<string, string> = { name };
  for (const pair of pairs) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = eq < 0 ? pair : pair.slice(0, eq).trim();
    const text = eq < 0 ? "true" : pair.slice(eq + 1).trim();
    try {
      raw[key] = decodeURIComponent(text);
    } catch {
      raw[key] = text;
    }
  }
  return normalizeFault(raw);
}

/** Pending faults: per-header-value use counts and the instance queue. */
export class FaultBook {
  private readonly queue: Array<{ spec: FaultSpec; remaining: number }> = [];
  private readonly headerUses = new Map<string, number>();

  push(spec: FaultSpec): void {
    const normalized = normalizeFault(spec);
    this.queue.push({ spec: normalized, remaining: Math.max(1, normalized.times ?? 1) });
  }

  clear(): void {
    this.queue.length = 0;
    this.headerUses.clear();
  }

  /**
   * The fault for this request, if any. A header fault wins; a header whose `times`
   * are used up falls through to the queue. Only inference requests draw from the
   * queue, as `setFault` promises. Throws FaultError for an unparseable header.
   */
  take(header: string | undefined, inference: boolean): FaultSpec | undefined {
    if (header) {
      const spec = parseFaultHeader(header);
      if (spec.times === undefined) return spec;
      const used = this.headerUses.get(header) ?? 0;
      if (used < spec.times) {
        this.headerUses.set(header, used + 1);
        return spec;
      }
    }
    const head = inference ? this.queue[0] : undefined;
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.queue.shift();
    return head.spec;
  }
}

type Framing = "lf" | "crlf" | "cr";

/** How the SSE player delivers a stream: line endings, pacing and where it breaks off. */
export interface DeliveryPlan {
  framing: Framing;
  /** Delay before every event (slow fault). */
  eventDelayMs: number;
  /** Delay before every text delta (deltaDelayMs option). */
  deltaDelayMs: number;
  cut?: { kind: "reset" | "truncate" | "idle" | "malformed"; after: number; before?: string };
}

/** A fault that changes what the stream says rather than how it is delivered. */
export type ContentFault =
  | { kind: "failed" | "error_event"; after: number; code: string; message: string }
  | { kind: "incomplete"; after: number; reason: string };

const DEFAULT_AFTER = 2;

export function deliveryPlan(fault: FaultSpec | undefined, deltaDelayMs: number): DeliveryPlan {
  const plan: DeliveryPlan = { framing: "lf", eventDelayMs: 0, deltaDelayMs };
  if (!fault) return plan;
  const after = fault.after ?? DEFAULT_AFTER;
  switch (fault.name) {
    case "crlf":
    case "cr":
      plan.framing = fault.name;
      break;
    case "slow":
      plan.eventDelayMs = fault.delayMs ?? 20;
      break;
    case "reset":
    case "truncate":
    case "idle":
    case "malformed":
      plan.cut = { kind: fault.name, after, ...(fault.before === undefined ? {} : { before: fault.before }) };
      break;
    default:
      break;
  }
  return plan;
}

export function contentFault(fault: FaultSpec | undefined): ContentFault | undefined {
  if (!fault) return undefined;
  const after = fault.after ?? DEFAULT_AFTER;
  if (fault.name === "incomplete") return { kind: "incomplete", after, reason: fault.reason ?? "max_output_tokens" };
  if (fault.name === "failed" || fault.name === "error_event") {
    const code = fault.code ?? "server_error";
    return { kind: fault.name, after, code, message: fault.message ?? defaultMessage(code) };
  }
  return undefined;
}

// Codes with a canonical message, so an injected in-band failure reads like the real one.
const CANONICAL_ERRORS: Record<string, () => HttpError> = {
  rate_limit_exceeded: () => rateLimited(20, true),
  server_error: serverError,
  server_is_overloaded: overloaded,
  insufficient_quota: platformQuotaExceeded,
  subscription_sharing_usage_limit_exceeded: siwcUsageLimit,
  subscription_sharing_usage_unavailable: siwcUsageUnavailable,
};

function defaultMessage(code: string): string {
  const body = CANONICAL_ERRORS[code]?.().body as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? `The emulator injected a '${code}' failure.`;
}

/** Route-specific errors a fault may need. */
export interface FaultErrors {
  usageLimit(): HttpError;
}

/**
 * Answer faults that replace the normal response. Returns true when the request has
 * been dealt with (answered, cut, or deliberately left hanging). For non-streaming
 * requests the stream faults map to their nearest equivalent: reset cuts before the
 * head, idle never answers, slow delays the answer, failed/error_event become a 500
 * with the code, incomplete returns an incomplete response (see answerTurn);
 * truncate, malformed, crlf and cr only exist for streams.
 */
export async function answerWithFault(
  ex: Exchange,
  fault: FaultSpec | undefined,
  errors: FaultErrors,
  streaming: boolean,
): Promise<boolean> {
  if (!fault) return false;
  switch (fault.name) {
    case "rate_limit": {
      const ms = fault.retryAfterMs ?? (fault.retryAfter ?? 0.02) * 1000;
      ex.fail(rateLimited(ms, fault.headers !== false));
      return true;
    }
    case "usage_limit":
      ex.fail(errors.usageLimit());
      return true;
    case "server_error":
      ex.fail(serverError());
      return true;
    case "overloaded":
      ex.fail(overloaded());
      return true;
    case "unavailable":
      ex.fail(siwcUsageUnavailable());
      return true;
    case "status": {
      const status = fault.status ?? 500;
      if (fault.detail !== undefined) ex.sendJson(status, { detail: fault.detail });
      else ex.fail(openaiError(status, fault.message ?? "Emulated error.", fault.code ?? null, { type: fault.type, param: fault.param }));
      return true;
    }
    default:
      break;
  }
  if (streaming) return false;
  switch (fault.name) {
    case "reset":
      ex.destroy();
      return true;
    case "idle":
      return true;
    case "slow":
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 20));
      return false;
    case "failed":
    case "error_event": {
      const content = contentFault(fault) as { code: string; message: string };
      ex.fail(openaiError(500, content.message, content.code));
      return true;
    }
    default:
      return false;
  }
}
