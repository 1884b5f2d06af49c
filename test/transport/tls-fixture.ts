// A self-signed certificate for 127.0.0.1/localhost (made with openssl) and a minimal
// Responses stream, for the tests that exercise the https path through the real CLI.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Writes key.pem and cert.pem into `dir`; the cert is what NODE_EXTRA_CA_CERTS must name. */
export function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  return { key, cert };
}

/** A complete Responses SSE body whose answer is `text`. */
export function responsesStream(id: string, text: string): string {
  return [
    { type: "response.created", response: { id, model: "gpt-5.5", status: "in_progress", output: [] } },
    { type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: text },
    { type: "response.completed", response: { id, status: "completed", output: [], usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } } },
  ]
    .map((event, i) => `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: i })}\n\n`)
    .join("");
}
