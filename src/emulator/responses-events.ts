// Rendering an answer in the Responses wire format: the response object (returned as-is when not streaming)
// and the full streaming event set of docs/protocol.md#server-event-set / docs/protocol.md#event-order and
// docs/protocol.md#event-payloads, with `sequence_number` counting from 0 and exactly one terminal event.
import type { ContentFault } from "./faults.js";
import { newId, nowSeconds } from "./ids.js";
import type { Answer, AnswerItem } from "./responder.js";
import { cutIndex, type SseEvent } from "./sse.js";

export type ResponseObject = Record<string, unknown> & { id: string };

/** The response object as first announced, echoing the request's settings. */
export function responseShell(body: Record<string, unknown>): ResponseObject {
  const reasoning = isObject(body.reasoning) ? body.reasoning : {};
  return {
    id: newId("resp"),
    object: "response",
    created_at: nowSeconds(),
    status: "in_progress",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    service_tier: body.service_tier ?? "default",
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: "text" }, ...(isObject(body.text) ? body.text : {}) },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? "disabled",
    usage: null,
    user: null,
    metadata: body.metadata ?? {},
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/** The finished response object (non-streaming answer, and the terminal event's payload). */
export function finalResponse(shell: ResponseObject, answer: Answer): ResponseObject {
  const incomplete = answer.incompleteReason !== undefined;
  return {
    ...shell,
    status: incomplete ? "incomplete" : "completed",
    incomplete_details: incomplete ? { reason: answer.incompleteReason } : null,
    output: answer.items.map((item, i) => finalItem(item, incomplete && i === answer.items.length - 1)),
    usage: answer.usage,
  };
}

function finalItem(item: AnswerItem, cutShort: boolean): Record<string, unknown> {
  const status = cutShort ? "incomplete" : "completed";
  switch (item.type) {
    case "reasoning":
      return {
        id: item.id,
        type: "reasoning",
        summary: item.summary.length ? [{ type: "summary_text", text: item.summary.join("") }] : [],
        ...(item.content ? { content: [reasoningText(item.content.join(""))] } : {}),
        ...(item.encryptedContent ? { encrypted_content: item.encryptedContent } : {}),
      };
    case "message":
      return { ...messageShell(item), status, content: [contentPart(item, item.pieces.join(""))] };
    case "function_call":
      return { id: item.id, type: "function_call", status, arguments: item.pieces.join(""), call_id: item.callId, name: item.name };
    case "custom_tool_call":
      return { id: item.id, type: "custom_tool_call", status, call_id: item.callId, name: item.name, input: item.pieces.join("") };
  }
}

type MessageItem = Extract<AnswerItem, { type: "message" }>;

/** A message item without content; `phase` only where the answer labels it (ResponseOutputMessage.phase). */
function messageShell(item: MessageItem): Record<string, unknown> {
  return { id: item.id, type: "message", role: "assistant", ...(item.phase ? { phase: item.phase } : {}) };
}

/** The message's one content part: a refusal (ResponseOutputRefusal) or output text with its annotations. */
function contentPart(item: MessageItem, text: string, annotations = item.annotations ?? []): Record<string, unknown> {
  return item.refusal ? { type: "refusal", refusal: text } : { type: "output_text", annotations, logprobs: [], text };
}

function reasoningText(text: string): Record<string, unknown> {
  return { type: "reasoning_text", text };
}

/**
 * Every event of the stream. A failed/error_event content fault replaces everything
 * after its `after`-th delta with `response.failed` or a top-level `error` event.
 */
export function responseEvents(shell: ResponseObject, answer: Answer, fault?: ContentFault): SseEvent[] {
  const events: SseEvent[] = [];
  const push = (type: string, fields: Record<string, unknown>, delta = false) =>
    events.push({ event: type, data: JSON.stringify({ type, sequence_number: events.length, ...fields }), delta });

  push("response.created", { response: shell });
  push("response.in_progress", { response: shell });
  const final = finalResponse(shell, answer);
  const finalItems = final.output as Array<Record<string, unknown>>;
  answer.items.forEach((item, output_index) => {
    const item_id = item.id;
    switch (item.type) {
      case "reasoning": {
        push("response.output_item.added", { output_index, item: { id: item_id, type: "reasoning", summary: [] } });
        if (item.summary.length) {
          const text = item.summary.join("");
          const at = { item_id, output_index, summary_index: 0 };
          push("response.reasoning_summary_part.added", { ...at, part: { type: "summary_text", text: "" } });
          for (const delta of item.summary) push("response.reasoning_summary_text.delta", { ...at, delta });
          push("response.reasoning_summary_text.done", { ...at, text });
          push("response.reasoning_summary_part.done", { ...at, part: { type: "summary_text", text } });
        }
        if (item.content) {
          const text = item.content.join("");
          const at = { item_id, output_index, content_index: 0 };
          push("response.content_part.added", { ...at, part: reasoningText("") });
          for (const delta of item.content) push("response.reasoning_text.delta", { ...at, delta });
          push("response.reasoning_text.done", { ...at, text });
          push("response.content_part.done", { ...at, part: reasoningText(text) });
        }
        break;
      }
      case "message": {
        const text = item.pieces.join("");
        const at = { item_id, output_index, content_index: 0 };
        // Refusals stream as response.refusal.*, answers as response.output_text.* (ResponseStreamEvent).
        const kind = item.refusal ? "refusal" : "output_text";
        push("response.output_item.added", { output_index, item: { ...messageShell(item), status: "in_progress", content: [] } });
        push("response.content_part.added", { ...at, part: contentPart(item, "", []) });
        for (const delta of item.pieces) push(`response.${kind}.delta`, item.refusal ? { ...at, delta } : { ...at, delta, logprobs: [] }, true);
        (item.annotations ?? []).forEach((annotation, annotation_index) =>
          push("response.output_text.annotation.added", { ...at, annotation_index, annotation }),
        );
        push(`response.${kind}.done`, item.refusal ? { ...at, refusal: text } : { ...at, text, logprobs: [] });
        push("response.content_part.done", { ...at, part: contentPart(item, text) });
        break;
      }
      case "function_call": {
        const added = { id: item_id, type: "function_call", status: "in_progress", arguments: "", call_id: item.callId, name: item.name };
        push("response.output_item.added", { output_index, item: added });
        for (const delta of item.pieces) push("response.function_call_arguments.delta", { item_id, output_index, delta }, true);
        push("response.function_call_arguments.done", { item_id, output_index, name: item.name, arguments: item.pieces.join("") });
        break;
      }
      case "custom_tool_call": {
        const added = { id: item_id, type: "custom_tool_call", status: "in_progress", call_id: item.callId, name: item.name, input: "" };
        push("response.output_item.added", { output_index, item: added });
        for (const delta of item.pieces) push("response.custom_tool_call_input.delta", { item_id, output_index, delta }, true);
        push("response.custom_tool_call_input.done", { item_id, output_index, input: item.pieces.join("") });
        break;
      }
    }
    push("response.output_item.done", { output_index, item: finalItems[output_index] });
  });
  push(answer.incompleteReason !== undefined ? "response.incomplete" : "response.completed", { response: final });

  if (fault?.kind !== "failed" && fault?.kind !== "error_event") return events;
  events.length = cutIndex(events, fault.after);
  if (fault.kind === "failed") {
    push("response.failed", { response: { ...shell, status: "failed", error: { code: fault.code, message: fault.message } } });
  } else {
    push("error", { code: fault.code, message: fault.message, param: null });
  }
  return events;
}
