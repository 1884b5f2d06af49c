// Time to first token with an upstream that sends nothing for FIRST_BYTE_DELAY_MS:
// codex-provider against raw fetch + eventsource-parser, interleaved, median of each.
import { createProvider } from "#src/index.js";
import { fetchStream } from "./clients.js";
import { KEY } from "./keys.js";
import { median, signed, since } from "./measure.js";
import { FIRST_BYTE_DELAY_MS } from "./upstream.js";

export async function benchTtft(upstream: string, log: (line: string) => void, quick: boolean): Promise<Record<string, number>> {
  const base = `${upstream}/delayed`;
  const provider = createProvider({ provider: "openai", apiKey: KEY, baseUrl: base, env: {} });
  const firstToken: Record<string, () => Promise<number>> = {
    "codex-provider": async () => {
      const start = process.hrtime.bigint();
      let first = NaN;
      for await (const event of provider.stream({ input: "hi" })) if (event.type === "text_delta" && Number.isNaN(first)) first = since(start);
      return first;
    },
    "fetch+eventsource-parser": async () => {
      const start = process.hrtime.bigint();
      let first = NaN;
      await fetchStream(base, KEY, () => (first = since(start)));
      return first;
    },
  };
  const samples = new Map<string, number[]>(Object.keys(firstToken).map((name) => [name, []]));
  for (const measure of Object.values(firstToken)) await measure();
  for (let i = 0; i < (quick ? 10 : 100); i++) for (const [name, measure] of Object.entries(firstToken)) samples.get(name)!.push(await measure());
  const out: Record<string, number> = {};
  for (const [name, values] of samples) out[name] = median(values);
  const added = out["codex-provider"] - out["fetch+eventsource-parser"];
  log(
    `  first byte after ${FIRST_BYTE_DELAY_MS} ms: codex-provider ${out["codex-provider"].toFixed(2)} ms, fetch+eventsource-parser ${out["fetch+eventsource-parser"].toFixed(2)} ms` +
      ` → ${signed(added, 2)} ms over raw fetch`,
  );
  return out;
}
