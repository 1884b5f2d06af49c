// POST /v1/chat/completions: translated to our ModelRequest, sent through the
// provider like any library call, and translated back from the typed events. A
// failure after the stream started is sent as `data: {"error":…}`, which the openai
// SDK turns into an APIError (docs/protocol.md#openai-sdk-clients); no `[DONE]` follows it.
import { randomBytes } from "node:crypto";
import type { ResponseResult } from "../types.js";
import { chatToModelRequest } from "../wire/chat-to-request.js";
import { ChatChunks, chatCompletion, type ChatIdentity } from "../wire/chat-response.js";
import { upstreamHeaders, failure, sendJson, type RouteContext } from "./route-context.js";
import { SseWriter } from "./sse-writer.js";
import { dropFromRequest, eventsOf, openUpstream, type OpenedStream } from "./upstream.js";

export async function handleChatCompletions(ctx: RouteContext): Promise<void> {
  const call = chatToModelRequest((await ctx.readBody()).value);
  const { request } = call;
  ctx.record.model = request.model;
  await ctx.catalog.check(request.model);

  const opened = await openUpstream(
    () => ctx.inFlight.upstream(ctx.provider.stream(request)),
    (param) => dropFromRequest(request, param, call.clientNames),
  );
  const dropped = [...call.dropped, ...opened.dropped];
  ctx.record.dropped = dropped;
  const identity: ChatIdentity = { id: `chatcmpl-${randomBytes(12).toString("hex")}`, created: Math.floor(Date.now() / 1000), model: request.model };
  if (call.stream) await stream(ctx, opened, new ChatChunks(identity, call.includeUsage), upstreamHeaders(dropped, opened.fallbacks));
  else await answer(ctx, opened, identity, upstreamHeaders(dropped, opened.fallbacks));
}

async function stream(ctx: RouteContext, opened: OpenedStream, chunks: ChatChunks, headers: Record<string, string>): Promise<void> {
  const writer = new SseWriter(ctx.res);
  writer.start(headers);
  try {
    await writer.send(chunks.role());
    for await (const event of eventsOf(opened)) {
      if (event.type === "text_delta") await writer.send(chunks.text(event.delta));
      else if (event.type === "refusal_delta") await writer.send(chunks.refusal(event.delta));
      else if (event.type === "function_call") await writer.send(chunks.toolCall(event.call));
      else if (event.type === "done") {
        ctx.record.usage = event.result.usage;
        for (const chunk of chunks.finish(event.result)) await writer.send(chunk);
        await writer.send("[DONE]");
      }
    }
  } catch (error) {
    await writer.send({ error: failure(ctx, error).body.error });
  } finally {
    writer.end();
  }
}

async function answer(ctx: RouteContext, opened: OpenedStream, identity: ChatIdentity, headers: Record<string, string>): Promise<void> {
  // The transport ends every successful stream with `done` (or throws), so `result` is set.
  let result!: ResponseResult;
  for await (const event of eventsOf(opened)) if (event.type === "done") result = event.result;
  ctx.record.usage = result.usage;
  sendJson(ctx.res, 200, chatCompletion(identity, result), headers);
}
