// The profile file schema (zod, the idiom of every non-hot trust boundary; see
// docs/architecture.md#validation). Problems name *where* the shape is wrong, never
// a value: the values are tokens, so zod's own messages (which may describe what was
// received) are never shown; each issue is reworded from its code and path alone.
import * as z from "zod";
import { registerSecret } from "../../redact.js";
import type { AccessTokenCredential, ApiKeyCredential, Credential, OAuthCredential, ProfileData } from "../credential.js";

/** Fields registered with the redactor whenever a profile is loaded or saved. */
const secrets = z.registry<Record<string, never>>();
function secret(): z.ZodString {
  return z.string().register(secrets, {});
}

// Unknown extra fields pass (zod's default object) so newer files stay readable; the
// caller keeps the parsed input, so they also survive a rewrite.
const apiKey = z.object({ type: z.literal("api-key"), key: secret(), savedAt: z.string() });
const oauth = z.object({
  type: z.literal("oauth"),
  accessToken: secret(),
  refreshToken: secret(),
  idToken: secret().optional(),
  expiresAt: z.number().optional(),
  clientId: z.string(),
  issuer: z.string().optional(),
  subject: z.string().optional(),
  email: z.string().optional(),
  accountId: z.string().optional(),
  planType: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  planUsageEnabled: z.boolean().optional(),
  lastRefresh: z.string(),
  refreshFailure: z.object({ code: z.string(), message: z.string(), at: z.string() }).optional(),
});
const accessToken = z.object({
  type: z.literal("access-token"),
  token: secret(),
  accountId: z.string().optional(),
  planType: z.string().optional(),
  email: z.string().optional(),
  fedramp: z.boolean().optional(),
  expiresAt: z.number().optional(),
  savedAt: z.string(),
});
const credential = z.discriminatedUnion("type", [apiKey, oauth, accessToken]);
const profile = z.object({
  version: z.literal(1),
  credentials: z.record(z.string(), credential),
  siwcClients: z.record(z.string(), z.string()).optional(),
});

// The compiler insists that a field added to `credential.ts` is added here too (and
// the other way round): each schema's type must equal its interface exactly.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameShape: [
  Equal<z.output<typeof apiKey>, ApiKeyCredential>,
  Equal<z.output<typeof oauth>, OAuthCredential>,
  Equal<z.output<typeof accessToken>, AccessTokenCredential>,
  Equal<keyof z.output<typeof profile>, keyof ProfileData>,
] = [true, true, true, true];
void sameShape;

const SECRET_FIELDS = Object.fromEntries(
  credential.options.map((option) => [
    option.shape.type.value,
    Object.entries(option.shape as Record<string, z.ZodType>)
      .filter(([, field]) => secrets.has(field instanceof z.ZodOptional ? field.unwrap() : field))
      .map(([name]) => name),
  ]),
) as Record<Credential["type"], string[]>;

const KIND: Record<string, string> = { object: "an object", record: "an object", array: "a string[]" };

/** Short, value-free label for a map key taken from the file. */
function label(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

/** `credentials["openai"].scopes[0]`: map keys (the second step) in brackets. */
function where(path: readonly PropertyKey[]): string {
  return path
    .map((key, depth) => (typeof key === "number" ? `[${key}]` : depth === 1 ? `[${label(String(key))}]` : `${depth ? "." : ""}${String(key)}`))
    .join("");
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined), data);
}

function describe(value: unknown, issue: z.core.$ZodIssue): string {
  const [top] = issue.path;
  if (issue.path.length === 0) return "is not a JSON object";
  if (top === "version") {
    const version = valueAt(value, issue.path);
    return typeof version === "number" && version > 1
      ? `has version ${version}, written by a newer codex-provider (this one reads version 1)`
      : "has no supported version (expected 1)";
  }
  if (issue.path.length === 1) return top === "credentials" ? "has no credentials object" : `has a ${String(top)} field that is not an object`;
  if (issue.code === "invalid_union") return `${where(issue.path)} is not one of ${credential.options.map((o) => o.shape.type.value).join(", ")}`;
  if (issue.code === "invalid_type") {
    if (valueAt(value, issue.path) === undefined) return `${where(issue.path)} is missing`;
    return `${where(issue.path)} is not ${KIND[issue.expected] ?? `a ${issue.expected}`}`;
  }
  // Every schema above only yields the codes handled; say where in any case.
  return `${where(issue.path)} is not valid`;
}

/**
 * What is wrong with `value` as a `ProfileData` (the first problem, naming where), or
 * undefined when it fits.
 */
export function profileProblem(value: unknown): string | undefined {
  const result = profile.safeParse(value);
  return result.success ? undefined : describe(value, result.error.issues[0]);
}

/** Register every secret in a (validated) profile with the redactor. */
export function registerProfileSecrets(data: ProfileData): void {
  for (const stored of Object.values(data.credentials)) {
    if (!stored) continue;
    const fields = stored as unknown as Record<string, unknown>;
    for (const field of SECRET_FIELDS[stored.type]) {
      if (typeof fields[field] === "string") registerSecret(fields[field]);
    }
  }
}
