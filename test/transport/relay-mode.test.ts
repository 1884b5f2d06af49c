// The library's relay mode (`rawEvents: "sse"`, what `serve` uses): the upstream's
// bytes come through as sent, and the result still holds the output items and the tool
// calls, whether the terminal event carries the output (api.openai.com) or leaves it
// empty and only the `output_item.done` events hold it (the ChatGPT backend).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createProvider } from "#src/providers/registry.js";
import type { Provider } from "#src/providers/provider.js";
import type { StreamEvent } from "#src/types.js";
import { pipeEvents } from "#src/transport/response-stream.js";

const message = { id: "msg_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Looking it up.", annotations: [] }] };
const call = { id: "fc_1", type: "function_call", status: "completed", call_id: "call_1", name: "lookup_order", arguments: '{"id":"A-7"}' };

/** A stream with a message and a tool call; `where` says whether the terminal event repeats the output. */
function stream(where: "terminal" | "items"): string {
  const response = (status: string, output: unknown[]) => ({ id: `resp_${where}`, object: "response", model: "gpt-5.5", status, output, usage: { input_tokens: 5, output_tokens: 7, total_tokens: 12 } });
  const events = [
    { type: "response.created", sequence_number: 0, response: response("in_progress", []) },
    { type: "response.output_item.added", sequence_number: 1, output_index: 0, item: { ...message, status: "in_progress", content: [] } },
    { type: "response.output_text.delta", sequence_number: 2, item_id: "msg_1", output_index: 0, content_index: 0, delta: "Looking it up." },
    { type: "response.output_item.done", sequence_number: 3, output_index: 0, item: message },
    { type: "response.output_item.added", sequence_number: 4, output_index: 1, item: { ...call, status: "in_progress", arguments: "" } },
    { type: "response.output_item.done", sequence_number: 5, output_index: 1, item: call },
    { type: "response.completed", sequence_number: 6, response: response("completed", where === "terminal" ? [message, call] : []) },
  ];
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join("");
}

describe('relay mode (rawEvents: "sse")', () => {
  let upstream: Server;
  let home: string;
  let provider: Provider;
  before(async () => {
    upstream = createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(stream(req.headers["x-output"] === "items" ? "items" : "terminal"));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    home = await mkdtemp(join(tmpdir(), "cp-relay-mode-"));
    const baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
    provider = createProvider({ provider: "openai", apiKey: "sk-test-relay-mode-0000", baseUrl, env: {}, home, httpClient: "undici" });
  });
  after(async () => {
    await new Promise((resolve) => upstream.close(resolve));
    await rm(home, { recursive: true, force: true });
  });

  for (const where of ["terminal", "items"] as const) {
    it(`forwards every byte and still reports the output and the tool call (output in ${where === "terminal" ? "the terminal event" : "the items only"})`, async () => {
      const events: StreamEvent[] = [];
      const answer = provider.streamBody({ model: "gpt-5.5", input: [{ role: "user", content: "Where is A-7?" }], stream: true }, { rawEvents: "sse", headers: { "x-output": where } });
      for await (const event of answer) events.push(event);
      const bytes = Buffer.concat(events.flatMap((event) => (event.type === "sse" ? [event.bytes] : []))).toString("utf8");
      assert.equal(bytes, stream(where));
      const result = await answer.result();
      assert.deepEqual(result.output, [message, call]);
      assert.deepEqual(result.functionCalls, [{ itemId: "fc_1", callId: "call_1", name: "lookup_order", arguments: '{"id":"A-7"}', kind: "function" }]);
      assert.equal(result.usage?.totalTokens, 12);
      assert.equal(result.stopReason, "tool_calls");
      assert.deepEqual(
        events.filter((event) => event.type === "function_call").map((event) => event.type === "function_call" && event.call.name),
        ["lookup_order"],
      );
    });
  }

  it("hands over a finished answer's terminal event before decoding it: its bytes end their batch, and `done` follows with its response", async () => {
    const batches: StreamEvent[][] = [];
    const answer = provider.streamBody({ model: "gpt-5.5", input: [{ role: "user", content: "Where is A-7?" }], stream: true }, { rawEvents: "sse" });
    await pipeEvents(answer[Symbol.asyncIterator](), (events) => {
      batches.push([...events]);
      return undefined;
    });
    const ending = batches.findIndex((batch) => batch.some((event) => event.type === "sse" && event.kept === "response.completed"));
    assert.ok(ending >= 0, "the terminal event's bytes came through, marked as read by the library");
    const terminal = batches[ending].at(-1);
    assert.ok(terminal?.type === "sse" && terminal.kept === "response.completed" && terminal.event === undefined, "they end their batch, undecoded");
    assert.ok(batches.slice(0, ending + 1).flat().every((event) => event.type !== "done" && event.type !== "usage"), "nothing decoded from it comes with or before them");
    const done = batches.slice(ending + 1).flat().find((event) => event.type === "done");
    assert.ok(done?.type === "done");
    assert.deepEqual(done.response, JSON.parse(Buffer.from(terminal.bytes).toString("utf8").split("\ndata: ")[1]).response);
    assert.equal(done.result.usage?.totalTokens, 12);
    // Outside a relay the done event stays as it was (`ask --json` prints it): no response object.
    const plain: StreamEvent[] = [];
    for await (const event of provider.streamBody({ model: "gpt-5.5", input: [{ role: "user", content: "Where is A-7?" }], stream: true })) plain.push(event);
    assert.deepEqual(Object.keys(plain.find((event) => event.type === "done") ?? {}), ["type", "result"]);
  });
});
