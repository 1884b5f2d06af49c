// Reading an SSE body in a test, independently of the library's decoder (src/transport/sse.ts),
// so that a bug there cannot hide in the assertions.

export interface ParsedEvent {
  event?: string;
  data: string;
}

/** SSE parsing per the WHATWG rules (CRLF, LF or CR line ends; blank line ends an event). */
export function parseSse(text: string): ParsedEvent[] {
  const events: ParsedEvent[] = [];
  let event: string | undefined;
  let data: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === "") {
      if (data.length) events.push({ event, data: data.join("\n") });
      event = undefined;
      data = [];
    } else if (line.startsWith("event:")) event = line.slice(6).trimStart();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length) events.push({ event, data: data.join("\n") });
  return events;
}

/** JSON payloads of a stream, skipping `[DONE]`. */
export function jsonEvents(text: string): Array<Record<string, any>> {
  return parseSse(text)
    .filter((e) => e.data !== "[DONE]")
    .map((e) => JSON.parse(e.data) as Record<string, any>);
}
