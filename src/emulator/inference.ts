// Steps every inference route takes in the same way: drawing and answering faults,
// producing the answer, and delivering a Responses answer as JSON or a stream.
import type { EmulatorContext } from "./context.js";
import { openaiError } from "./errors.js";
import { answerWithFault, contentFault, deliveryPlan, type FaultErrors, FaultError, type FaultSpec } from "./faults.js";
import type { Exchange } from "./http.js";
import { type Answer, type AnswerShape, respond, truncateAnswer, type Turn } from "./responder.js";
import { finalResponse, type ResponseObject, responseEvents } from "./responses-events.js";
import { playStream, type SseEvent } from "./sse.js";

/**
 * Draw this request's fault (header first, then the instance queue for inference
 * requests) and answer it when it replaces the response. Returns undefined when the
 * request has been dealt with, else the fault (if any) that shapes the response.
 */
export async function faultGate(
  ex: Exchange,
  ctx: EmulatorContext,
  errors: FaultErrors,
  options: { inference: boolean; streaming: boolean },
): Promise<{ fault?: FaultSpec } | undefined> {
  let fault: FaultSpec | undefined;
  try {
    fault = ctx.faults.take(ex.header("x-emulator-fault"), options.inference);
  } catch (error) {
    if (!(error instanceof FaultError)) throw error;
    ex.fail(openaiError(400, error.message, "emulator_invalid_fault", { param: "x-emulator-fault" }));
    return undefined;
  }
  return (await answerWithFault(ex, fault, errors, options.streaming)) ? undefined : { fault };
}

const SHAPES = new Set<string>(["refusal", "commentary", "annotations", "reasoning_text"] satisfies AnswerShape[]);

/** The model's answer, shaped by a shape fault, cut short when an `incomplete` fault asks for it. */
export function answerTurn(turn: Turn, ctx: EmulatorContext, fault: FaultSpec | undefined): Answer {
  const shape = fault && SHAPES.has(fault.name) ? (fault.name as AnswerShape) : undefined;
  const answer = respond({ ...turn, shape }, ctx.seal);
  const content = contentFault(fault);
  return content?.kind === "incomplete" ? truncateAnswer(answer, turn, content.after, content.reason) : answer;
}

/** Send a Responses answer: the event stream when `stream` is true, else the response object. */
export async function deliverResponse(
  ex: Exchange,
  ctx: EmulatorContext,
  shell: ResponseObject,
  answer: Answer,
  fault: FaultSpec | undefined,
  stream: boolean,
  /** Informational events a stream opens with, before `response.created` (the backend's `codex.rate_limits`). */
  prelude: readonly SseEvent[] = [],
): Promise<void> {
  if (stream) await playStream(ex, [...prelude, ...responseEvents(shell, answer, contentFault(fault))], deliveryPlan(fault, ctx.deltaDelayMs));
  else ex.sendJson(200, finalResponse(shell, answer));
}

/** The JSON body as an object, or undefined when it is missing or not an object. */
export function objectBody(ex: Exchange): Record<string, unknown> | undefined {
  const body = ex.body;
  return body && typeof body === "object" && !Array.isArray(body) && !ex.bodyError ? (body as Record<string, unknown>) : undefined;
}
