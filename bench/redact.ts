// redact() on 1 MB of text: the pattern masks alone (no secret registered) against the
// full pass with the registry at its bound (64 JWT-sized secrets, fragment index), on
// prose and on base64 (the worst case: one long run of secret characters).
import { randomBytes } from "node:crypto";
import { clearRegisteredSecrets, MAX_REGISTERED_SECRETS, redact, registerSecret } from "#src/redact.js";

const MB = 1024 * 1024;

function prose(): string {
  const words = ["the", "model", "answered", "with", "a", "long", "story", "about", "streams,", "tokens", "and", "retries."];
  let text = "";
  for (let i = 0; text.length < MB; i++) text += `${words[(i * 7) % words.length]} `;
  return text.slice(0, MB);
}

/** Median MB/s of `runs` passes. */
function rate(text: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    redact(text);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return text.length / MB / (times[Math.floor(times.length / 2)] / 1000);
}

export function benchRedact(log: (line: string) => void, quick: boolean): Record<string, number> {
  const runs = quick ? 5 : 15;
  const texts = { prose: prose(), base64: randomBytes((MB * 3) / 4).toString("base64") };
  const secrets = Array.from({ length: MAX_REGISTERED_SECRETS }, () => `eyJ${randomBytes(900).toString("base64url")}`);
  log(`\n## redact() on 1 MB (median of ${runs} passes, MB/s; higher is better)`);
  const out: Record<string, number> = {};
  for (const [name, text] of Object.entries(texts)) {
    clearRegisteredSecrets();
    const patterns = rate(text, runs);
    for (const secret of secrets) registerSecret(secret);
    redact("warm the index");
    const full = rate(text, runs);
    log(`  ${name.padEnd(8)} patterns only ${patterns.toFixed(0)} MB/s   with ${secrets.length} secrets (${Math.round(secrets[0].length / 1024)} KB each) ${full.toFixed(0)} MB/s   ${(full / patterns).toFixed(2)}× patterns only`);
    out[`${name}PatternsMBps`] = patterns;
    out[`${name}FullMBps`] = full;
  }
  clearRegisteredSecrets();
  return out;
}
