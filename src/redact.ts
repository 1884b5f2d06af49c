// The one place that knows what a secret looks like. Every secret the process loads
// is registered here, so its exact value is masked even where no pattern would match;
// the patterns catch secrets we never saw (e.g. in upstream error bodies).
import { createHash } from "node:crypto";

const MASK = "[REDACTED]";
const MIN_REGISTERED_LENGTH = 8;
const registered = new Set<string>();
let registeredPattern: RegExp | undefined;

/** Remember a secret value so `redact` masks it wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_REGISTERED_LENGTH || registered.has(value)) return;
  registered.add(value);
  registeredPattern = undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function registeredRegExp(): RegExp | undefined {
  if (registered.size === 0) return undefined;
  if (!registeredPattern) {
    // Longest first so a secret that contains another is masked whole.
    const alternatives = [...registered].sort((a, b) => b.length - a.length).map(escapeRegExp);
    registeredPattern = new RegExp(alternatives.join("|"), "g");
  }
  return registeredPattern;
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

/** Mask every registered secret and every secret-shaped substring. */
export function redact(text: string): string {
  if (!text) return text;
  let out = text;
  const exact = registeredRegExp();
  if (exact) out = out.replace(exact, MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A short, stable, non-reversible label for a secret, safe to print. */
export function fingerprint(secret: string): string {
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
  registeredPattern = undefined;
}
