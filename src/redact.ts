// The one place that knows what a secret looks like. Every secret the process loads
// is registered here, so its value is masked even where no pattern would match, and
// so is any fragment of 16 or more of its characters (an upstream error that quotes
// "…the last 29 characters of your key" must not pass). The patterns stay as the
// backstop for secrets we never saw (e.g. in upstream error bodies).
import { SecretIndex } from "./secret-index.js";

const MASK = "[REDACTED]";
const MIN_REGISTERED_LENGTH = 8;
/**
 * The registry is bounded (a long-running `serve` registers every rotated token):
 * past either limit the least recently registered secrets are forgotten. Tokens in
 * use are registered again whenever they are loaded, which keeps them recent.
 */
export const MAX_REGISTERED_SECRETS = 64;
export const MAX_REGISTERED_CHARS = 128 * 1024;

/** Insertion order = recency: re-registering moves a secret to the end. */
const registered = new Map<string, true>();
let registeredChars = 0;
let index: SecretIndex | undefined;
let shortPattern: RegExp | null | undefined;

/** Remember a secret value so `redact` masks it, and its long fragments, wherever they appear. */
export function registerSecret(value: string | undefined | null): void {
  // No credential comes near the upper bound; it keeps the index's positions small.
  if (!value || value.length < MIN_REGISTERED_LENGTH || value.length > SecretIndex.MAX_SECRET_LENGTH) return;
  if (registered.delete(value)) registeredChars -= value.length;
  registered.set(value, true);
  registeredChars += value.length;
  for (const oldest of registered.keys()) {
    if (registered.size <= MAX_REGISTERED_SECRETS && registeredChars <= MAX_REGISTERED_CHARS) break;
    if (oldest === value) break;
    registered.delete(oldest);
    registeredChars -= oldest.length;
  }
  index = undefined;
  shortPattern = undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Secrets too short to have a 16-character fragment are matched whole. */
function shortSecrets(): RegExp | null {
  if (shortPattern === undefined) {
    // Longest first so a secret that contains another is masked whole.
    const short = [...registered.keys()].filter((s) => s.length < SecretIndex.FRAGMENT).sort((a, b) => b.length - a.length);
    shortPattern = short.length ? new RegExp(short.map(escapeRegExp).join("|"), "g") : null;
  }
  return shortPattern;
}

const PATTERNS: Array<[RegExp, string]> = [
  // JWTs (access and ID tokens).
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, MASK],
  // Platform keys: sk-..., sk-proj-..., sk-svcacct-...
  [/\bsk-[A-Za-z0-9_-]{8,}/g, MASK],
  // Codex personal access tokens and common refresh-token prefixes.
  [/\b(?:at|rt|oaiapp_rt)[-_][A-Za-z0-9_.-]{12,}/g, MASK],
  // Authorization / account headers in any text form.
  [/\b(Bearer|AgentAssertion)\s+[^\s"',;]+/gi, `$1 ${MASK}`],
  [/\b(authorization|chatgpt-account-id)(["']?\s*[:=]\s*["']?)(?:Bearer\s+)?[^\s"',;&]+/gi, `$1$2${MASK}`],
  // JSON fields and form/query parameters holding tokens and PKCE values.
  [
    /(["']?\b(?:access_token|refresh_token|id_token|id_token_hint|code_verifier|api_key|apiKey|accessToken|refreshToken|idToken|OPENAI_API_KEY|authorization_code|device_auth_id|client_secret)["']?\s*[:=]\s*["']?)([^"'&\s,}]+)/g,
    `$1${MASK}`,
  ],
  // Credentials in a URL (`http://user:password@proxy:3128`), e.g. a proxy address echoed back.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"']+:[^\s/?#@"']*@/gi, `$1${MASK}@`],
  // OAuth callback/authorize query parameters (`code` and `state` only in URL form, so
  // JSON error bodies keep their `"code": "usage_limit_reached"`).
  [/([?&#](?:code|state|nonce|token|user_code)=)[^&#\s"']+/g, `$1${MASK}`],
];

/** Mask every registered secret, every long fragment of one, and every secret-shaped substring. */
export function redact(text: string): string {
  if (!text) return text;
  let out = text;
  if (registered.size > 0) {
    index ??= new SecretIndex([...registered.keys()].filter((s) => s.length >= SecretIndex.FRAGMENT));
    out = index.mask(out, MASK);
    const short = shortSecrets();
    if (short) out = out.replace(short, MASK);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A short, stable, non-reversible label for a secret, safe to print. */
export function fingerprint(secret: string): string {
  // node:crypto loads with the first fingerprint rather than with `import("codex-provider")`
  // (every module that redacts imports this one); the call stays synchronous.
  const { createHash } = process.getBuiltinModule("node:crypto");
  return `sha256:${createHash("sha256").update(secret).digest("hex").slice(0, 8)}`;
}

/** Mask an email for display: `jo***@example.com`. */
export function maskEmail(email: string | undefined): string | undefined {
  if (!email) return email;
  const at = email.indexOf("@");
  if (at <= 0) return "***";
  return `${email.slice(0, Math.min(2, at))}***${email.slice(at)}`;
}

/** Test hook: forget registered secrets. */
export function clearRegisteredSecrets(): void {
  registered.clear();
  registeredChars = 0;
  index = undefined;
  shortPattern = undefined;
}
