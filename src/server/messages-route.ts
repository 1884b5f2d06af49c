// POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API in front
// of the provider (docs/protocol.md#anthropic-messages). The body is translated to our
// ModelRequest (its `claude-*` model mapped through the claude_model table), sent like
// any library call, and the typed events are translated back. A failure after the
// stream started is an `event: error`, which the Anthropic SDK raises as an APIError.
import { ProviderError } from "../errors.js";
import { parseClaudeModelMap, upstreamModel, type ClaudeModelMap } from "../config/claude-models.js";
import type { ResponseResult } from "../types.js";
import { AnthropicFrames, anthropicMessage, newMessageId } from "../wire/anthropic-response.js";
import { messagesToModelRequest, type MessagesCall } from "../wire/anthropic-to-request.js";
import { estimateInputTokens } from "../wire/token-estimate.js";
import { anthropicError } from "./anthropic-errors.js";
import { upstreamHeaders, failure, sendJson, type RouteContext } from "./route-context.js";
import type { Handler } from "./router.js";
import { SseWriter } from "./sse-writer.js";
import { dropFromRequest, eventsOf, openUpstream, type OpenedStream } from "./upstream.js";

/** Says that a count_tokens answer is an estimate, not the model's tokenizer. */
const ESTIMATE_HEADER = "x-codex-provider-token-count";

/** The two handlers, for a `claude_model` table (text as configured; validated by the settings). */
export function messagesRoutes(claudeModel: string | undefined): { messages: Handler; countTokens: Handler } {
  const map = claudeModel === undefined ? undefined : parseClaudeModelMap(claudeModel);
  if (claudeModel !== undefined && !map) {
    throw new ProviderError("config_error", `Invalid claude_model table: ${JSON.stringify(claudeModel)}.`, { hint: 'Write a model, then optional NAME=MODEL entries, comma-separated: "gpt-5.5,claude-haiku-4-5=gpt-5.4-mini".' });
  }
  return {
    messages: (ctx) => handleMessages(ctx, map),
    countTokens: async (ctx) => {
      const { request } = messagesToModelRequest((await ctx.readBody()).value);
      sendJson(ctx.res, 200, { input_tokens: estimateInputTokens(request) }, { [ESTIMATE_HEADER]: "estimate" });
    },
  };
}

async function handleMessages(ctx: RouteContext, map: ClaudeModelMap | undefined): Promise<void> {
  const call: MessagesCall = messagesToModelRequest((await ctx.readBody()).value);
  const clientModel = call.request.model;
  const model = upstreamModel(map, clientModel);
  const request = { ...call.request, model };
  ctx.record.model = model ?? clientModel;
  if (model !== undefined) await ctx.catalog.check(model);

  const opened = await openUpstream(
    () => ctx.inFlight.upstream(ctx.provider.stream(request)),
    (param) => dropFromRequest(request, param, call.clientNames),
  );
  const dropped = [...call.dropped, ...opened.dropped];
  ctx.record.dropped = dropped;
  // The client gets back the model name it asked for, as Anthropic answers.
  const id = newMessageId();
  if (call.stream) await stream(ctx, opened, new AnthropicFrames(id, clientModel), upstreamHeaders(dropped, opened.fallbacks));
  else await answer(ctx, opened, id, clientModel, upstreamHeaders(dropped, opened.fallbacks));
}

async function stream(ctx: RouteContext, opened: OpenedStream, frames: AnthropicFrames, headers: Record<string, string>): Promise<void> {
  const writer = new SseWriter(ctx.res);
  writer.start(headers);
  try {
    for (const { event, data } of frames.start()) await writer.send(data, event);
    for await (const upstream of eventsOf(opened)) {
      if (upstream.type === "done") ctx.record.usage = upstream.result.usage;
      for (const { event, data } of frames.next(upstream)) await writer.send(data, event);
    }
  } catch (error) {
    await writer.send({ type: "error", error: anthropicError(failure(ctx, error)) }, "error");
  } finally {
    writer.end();
  }
}

async function answer(ctx: RouteContext, opened: OpenedStream, id: string, model: string, headers: Record<string, string>): Promise<void> {
  // The transport ends every successful stream with `done` (or throws), so `result` is set.
  let result!: ResponseResult;
  for await (const event of eventsOf(opened)) if (event.type === "done") result = event.result;
  ctx.record.usage = result.usage;
  sendJson(ctx.res, 200, anthropicMessage(id, model, result), headers);
}
