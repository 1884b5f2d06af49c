// api.openai.com/v1/chat/completions for Platform keys: the same emulated answer as
// the Responses routes, rendered as a chat completion or as `data:` chunks ending in
// `data: [DONE]`, with an optional usage chunk (`stream_options.include_usage`).
import type { EmulatorContext } from "../context.js";
import { type HttpError, invalidJsonBody, openaiError, platformQuotaExceeded, siwcError } from "../errors.js";
import { contentFault, deliveryPlan, type FaultSpec } from "../faults.js";
import type { Exchange } from "../http.js";
import { newId, nowSeconds } from "../ids.js";
import { answerTurn, faultGate, objectBody } from "../inference.js";
import { findModel } from "../models.js";
import type { Answer, FunctionTool, ToolChoice, Turn } from "../responder.js";
import { cutIndex, playStream, type SseEvent } from "../sse.js";
import { authenticateV1 } from "./v1-auth.js";

type Message = Record<string, unknown>;

export async function handleChatCompletions(ex: Exchange, ctx: EmulatorContext): Promise<void> {
  const caller = await authenticateV1(ex, ctx);
  if (!caller) return;
  if (caller.kind === "siwc") {
    return ex.fail(siwcError(403, "subscription_sharing_route_not_supported", "ChatGPT plan tokens can only be used with /v1/responses and /v1/models."));
  }
  Object.assign(ex.extraHeaders, ctx.platformLimits.consume(Math.ceil(ex.bodyLength / 4)));
  const body = objectBody(ex);
  if (!body) return ex.fail(invalidJsonBody());
  const stream = body.stream === true;
  const gate = await faultGate(ex, ctx, { usageLimit: platformQuotaExceeded }, { inference: true, streaming: stream });
  if (!gate) return;

  if (!findModel(body.model, "platform")) {
    return ex.fail(openaiError(404, `The model '${String(body.model)}' does not exist or you do not have access to it.`, "model_not_found"));
  }
  const turn = readChatTurn(body);
  if ("status" in turn) return ex.fail(turn);
  const answer = answerTurn(turn, ctx, gate.fault);
  const meta = { id: newId("chatcmpl").replace("_", "-"), created: nowSeconds(), model: body.model as string };
  if (!stream) return ex.sendJson(200, completion(meta, answer));
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  await playStream(ex, chunks(meta, answer, includeUsage, gate.fault), deliveryPlan(gate.fault, ctx.deltaDelayMs));
}

function readChatTurn(body: Record<string, unknown>): Turn | HttpError {
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return openaiError(400, "Missing required parameter: 'messages'.", "missing_required_parameter", { param: "messages" });
  }
  const messages = body.messages.filter((m): m is Message => !!m && typeof m === "object");
  const callIds = new Set<string>();
  let inputChars = 0;
  for (const [index, message] of messages.entries()) {
    inputChars += textOf(message.content).length;
    for (const call of Array.isArray(message.tool_calls) ? (message.tool_calls as Message[]) : []) callIds.add(String(call.id));
    if (message.role === "tool" && !callIds.has(String(message.tool_call_id))) {
      return openaiError(
        400,
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        null,
        { param: `messages.[${index}].role` },
      );
    }
  }
  const last = messages[messages.length - 1];
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  return {
    prompt: lastUser ? textOf(lastUser.content) : "",
    attachments: lastUser && Array.isArray(lastUser.content) ? lastUser.content.filter((p) => (p as Message)?.type !== "text").length : 0,
    toolOutput: last?.role === "tool" ? textOf(last.content) : undefined,
    tools: chatTools(body.tools),
    toolChoice: chatToolChoice(body.tool_choice),
    effort: typeof body.reasoning_effort === "string" ? body.reasoning_effort : undefined,
    replayedReasoning: 0,
    inputChars,
    maxOutputTokens: typeof maxTokens === "number" ? maxTokens : undefined,
    outputFormat: chatOutputFormat(body.response_format),
  };
}

/** Chat `response_format`: `{type:"json_schema", json_schema:{schema}}` or `{type:"json_object"}`. */
function chatOutputFormat(format: unknown): Turn["outputFormat"] {
  const f = format as { type?: unknown; json_schema?: { schema?: unknown } } | undefined;
  if (f?.type === "json_schema") return { schema: f.json_schema?.schema };
  if (f?.type === "json_object") return "json_object";
  return undefined;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (typeof (part as Message)?.text === "string" ? ((part as Message).text as string) : "")).join("");
}

function chatTools(tools: unknown): FunctionTool[] {
  if (!Array.isArray(tools)) return [];
  return tools
    .map((tool) => (tool as { function?: { name?: unknown; parameters?: unknown } })?.function)
    .filter((fn): fn is { name: string; parameters?: unknown } => typeof fn?.name === "string")
    .map((fn) => ({ name: fn.name, parameters: fn.parameters }));
}

function chatToolChoice(choice: unknown): ToolChoice {
  if (choice === "none" || choice === "required") return choice;
  const name = (choice as { function?: { name?: unknown } } | undefined)?.function?.name;
  return typeof name === "string" ? { name } : "auto";
}

interface Meta {
  id: string;
  created: number;
  model: string;
}

function finishReason(answer: Answer): string {
  if (answer.incompleteReason) return "length";
  return answer.items.some((item) => item.type === "function_call") ? "tool_calls" : "stop";
}

function chatUsage(answer: Answer): Record<string, unknown> {
  const u = answer.usage;
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.total_tokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.output_tokens_details.reasoning_tokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function completion(meta: Meta, answer: Answer): unknown {
  const message: Record<string, unknown> = { role: "assistant", content: null, refusal: null, annotations: [] };
  for (const item of answer.items) {
    // Chat Completions has no phase: a preamble is not part of the answer.
    if (item.type === "message" && item.phase !== "commentary") message[item.refusal ? "refusal" : "content"] = item.pieces.join("");
    if (item.type === "function_call") {
      message.tool_calls = [{ id: item.callId, type: "function", function: { name: item.name, arguments: item.pieces.join("") } }];
    }
  }
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(answer) }],
    usage: chatUsage(answer),
    service_tier: "default",
    system_fingerprint: null,
  };
}

/** The chunk stream. A failed/error_event fault ends it after `after` deltas with an in-band error object and no [DONE]. */
function chunks(meta: Meta, answer: Answer, includeUsage: boolean, fault: FaultSpec | undefined): SseEvent[] {
  const base = { id: meta.id, object: "chat.completion.chunk", created: meta.created, model: meta.model, service_tier: "default", system_fingerprint: null };
  const usageField = includeUsage ? { usage: null } : {};
  const events: SseEvent[] = [];
  const choice = (delta: Record<string, unknown>, finish: string | null = null, isDelta = false) =>
    events.push({ data: JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageField }), delta: isDelta });

  choice({ role: "assistant", content: "", refusal: null });
  for (const item of answer.items) {
    if (item.type === "message" && item.phase !== "commentary") for (const piece of item.pieces) choice({ [item.refusal ? "refusal" : "content"]: piece }, null, true);
    if (item.type === "function_call") {
      choice({ tool_calls: [{ index: 0, id: item.callId, type: "function", function: { name: item.name, arguments: "" } }] });
      for (const piece of item.pieces) choice({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null, true);
    }
  }
  choice({}, finishReason(answer));
  if (includeUsage) events.push({ data: JSON.stringify({ ...base, choices: [], usage: chatUsage(answer) }) });
  events.push({ data: "[DONE]" });

  const content = contentFault(fault);
  if (content?.kind !== "failed" && content?.kind !== "error_event") return events;
  events.length = cutIndex(events, content.after);
  events.push({ data: JSON.stringify({ error: { message: content.message, type: "server_error", param: null, code: content.code } }) });
  return events;
}
