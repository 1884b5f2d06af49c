// The clients the bench compares: ours and its peers, each a factory that takes the
// upstream's base URL and returns one streaming call resolving to the number of text
// deltas it saw (so a client that drops events is caught, not rewarded).
import { getModel, stream as piStream } from "@mariozechner/pi-ai";
import { createParser } from "eventsource-parser";
import OpenAI from "openai";
import { request as undiciRequest } from "undici";
import { createProvider } from "#src/index.js";
import type { HttpClientChoice } from "#src/transport/http.js";
import { KEY } from "./keys.js";


type Client = () => Promise<number>;
type ClientFactory = (base: string, key?: string) => Client;

export const FLOOR = "undici.request+eventsource-parser";

const body = () => JSON.stringify({ model: "gpt-5.5", input: "hi", stream: true });
const headers = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json", accept: "text/event-stream" });

function countDeltas(): { feed(chunk: string): void; count(): number } {
  let deltas = 0;
  const parser = createParser({
    onEvent(message) {
      const event = JSON.parse(message.data) as { type: string };
      if (event.type === "response.output_text.delta") deltas++;
    },
  });
  return { feed: (chunk) => parser.feed(chunk), count: () => deltas };
}

/** Raw fetch of the Responses stream, parsed with eventsource-parser; `onFirstDelta` runs at the first text delta (time to first token). */
export async function fetchStream(base: string, key = KEY, onFirstDelta?: () => void): Promise<number> {
  const res = await fetch(`${base}/responses`, { method: "POST", headers: headers(key), body: body() });
  const counter = countDeltas();
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    counter.feed(decoder.decode(chunk, { stream: true }));
    if (onFirstDelta && counter.count() > 0) {
      onFirstDelta();
      onFirstDelta = undefined;
    }
  }
  return counter.count();
}

/** The floor's call, sending `requestBody` (the local server's bench also sends a Codex-sized one). */
export function floorCall(base: string, key = KEY, requestBody = body()): Client {
  return async () => {
    const { body: stream } = await undiciRequest(`${base}/responses`, { method: "POST", headers: headers(key), body: requestBody });
    const counter = countDeltas();
    const decoder = new TextDecoder();
    for await (const chunk of stream) counter.feed(decoder.decode(chunk as Buffer, { stream: true }));
    return counter.count();
  };
}

function ours(httpClient: HttpClientChoice): ClientFactory {
  return (base, key = KEY) => {
    const provider = createProvider({ provider: "openai", apiKey: key, baseUrl: base, env: {}, httpClient });
    return async () => {
      let n = 0;
      for await (const event of provider.stream({ input: "hi" })) if (event.type === "text_delta") n++;
      return n;
    };
  };
}

export const clients: Record<string, ClientFactory> = {
  // The library's default: undici from the second call on (loaded during the first).
  "codex-provider": ours("auto"),
  // What one-shot CLI commands use: node:http, nothing extra to load.
  "codex-provider (node:http)": ours("node"),
  [FLOOR]: (base, key) => floorCall(base, key),
  "fetch+eventsource-parser": (base, key = KEY) => () => fetchStream(base, key),
  "openai SDK": (base, key = KEY) => {
    const sdk = new OpenAI({ apiKey: key, baseURL: base, maxRetries: 0 });
    return async () => {
      let n = 0;
      const stream = await sdk.responses.create({ model: "gpt-5.5", input: "hi", stream: true });
      for await (const event of stream) if (event.type === "response.output_text.delta") n++;
      return n;
    };
  },
  // pi-ai's openai-responses provider (it drives the openai SDK) with the model's
  // baseUrl pointed at the loopback upstream.
  "pi-ai": (base, key = KEY) => {
    const model = { ...getModel("openai", "gpt-5"), baseUrl: base };
    return async () => {
      let n = 0;
      const events = piStream(model, { messages: [{ role: "user", content: "hi", timestamp: Date.now() }] }, { apiKey: key });
      for await (const event of events) {
        if (event.type === "text_delta") n++;
        else if (event.type === "error") throw new Error(`pi-ai: ${event.error.errorMessage ?? "stream error"}`);
      }
      return n;
    };
  },
};
