// The profile file's shape, checked by hand from a table rather than with zod (the idiom
// of the other non-hot trust boundaries; see docs/architecture.md#validation): every
// command that uses a stored credential reads this file at start, and loading zod's
// chunk cost such a start 13–17 ms of CPU. Problems name *where* the shape is wrong,
// never a value: the values are tokens.
import { registerSecret } from "../../redact.js";
import type { Credential, OAuthCredential, ProfileData } from "../credential.js";

/** What one field holds; `secret` is a string registered with the redactor. */
type Kind = "string" | "secret" | "number" | "boolean" | "string[]" | "failure";
type KindOf<V> = V extends string ? "string" | "secret" : V extends number ? "number" : V extends boolean ? "boolean" : V extends string[] ? "string[]" : "failure";

// The compiler insists that every field of `credential.ts` is here, with its type and
// whether it may be absent (`?`), and nothing else: a field added there fails here.
type Fields<C> = { [K in Exclude<keyof C, "type">]-?: undefined extends C[K] ? `${KindOf<NonNullable<C[K]>>}?` : KindOf<C[K]> };

// Unknown extra fields pass, so newer files stay readable; the caller keeps the parsed
// input, so they also survive a rewrite.
const CREDENTIALS: { [C in Credential as C["type"]]: Fields<C> } = {
  "api-key": { key: "secret", savedAt: "string" },
  oauth: {
    accessToken: "secret",
    refreshToken: "secret",
    idToken: "secret?",
    expiresAt: "number?",
    clientId: "string",
    issuer: "string?",
    subject: "string?",
    email: "string?",
    accountId: "string?",
    planType: "string?",
    scopes: "string[]?",
    planUsageEnabled: "boolean?",
    lastRefresh: "string",
    refreshFailure: "failure?",
  },
  "access-token": {
    token: "secret",
    accountId: "string?",
    planType: "string?",
    email: "string?",
    fedramp: "boolean?",
    expiresAt: "number?",
    savedAt: "string",
  },
};
const FAILURE: Fields<NonNullable<OAuthCredential["refreshFailure"]>> = {
  code: "string",
  message: "string",
  at: "string",
};

const TYPES = Object.keys(CREDENTIALS) as Credential["type"][];
const SECRET_FIELDS = Object.fromEntries(
  Object.entries(CREDENTIALS).map(([type, fields]) => [type, Object.keys(fields).filter((name) => (fields as Record<string, string>)[name].startsWith("secret"))]),
) as Record<Credential["type"], string[]>;

/** Short, value-free label for a map key taken from the file. */
function label(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What is wrong with `value` as `kind` (at `where`), or undefined. */
function fieldProblem(value: unknown, kind: Kind, where: string): string | undefined {
  switch (kind) {
    case "string":
    case "secret":
      return typeof value === "string" ? undefined : `${where} is not a string`;
    case "number":
      return typeof value === "number" ? undefined : `${where} is not a number`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `${where} is not a boolean`;
    case "string[]": {
      if (!Array.isArray(value)) return `${where} is not a string[]`;
      const index = value.findIndex((item) => typeof item !== "string");
      return index < 0 ? undefined : `${where}[${index}] is not a string`;
    }
    case "failure":
      return isObject(value) ? objectProblem(value, FAILURE, where) : `${where} is not an object`;
  }
}

/** The first field of `fields` that `value` lacks or holds wrongly. */
function objectProblem(value: Record<string, unknown>, fields: Record<string, string>, where: string): string | undefined {
  for (const [name, spec] of Object.entries(fields)) {
    const optional = spec.endsWith("?");
    const field = value[name];
    if (field === undefined) {
      if (optional) continue;
      return `${where}.${name} is missing`;
    }
    const problem = fieldProblem(field, (optional ? spec.slice(0, -1) : spec) as Kind, `${where}.${name}`);
    if (problem) return problem;
  }
  return undefined;
}

function credentialProblem(value: unknown, where: string): string | undefined {
  if (!isObject(value)) return `${where} is not an object`;
  const type = value.type;
  if (typeof type !== "string" || !Object.hasOwn(CREDENTIALS, type)) return `${where}.type is not one of ${TYPES.join(", ")}`;
  return objectProblem(value, CREDENTIALS[type as Credential["type"]], where);
}

/**
 * What is wrong with `value` as a `ProfileData` (the first problem, naming where), or
 * undefined when it fits.
 */
export function profileProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "is not a JSON object";
  const { version, credentials, siwcClients } = value;
  if (version !== 1) {
    return typeof version === "number" && version > 1
      ? `has version ${version}, written by a newer codex-provider (this one reads version 1)`
      : "has no supported version (expected 1)";
  }
  if (!isObject(credentials)) return "has no credentials object";
  for (const [key, stored] of Object.entries(credentials)) {
    const problem = credentialProblem(stored, `credentials[${label(key)}]`);
    if (problem) return problem;
  }
  if (siwcClients === undefined) return undefined;
  if (!isObject(siwcClients)) return "has a siwcClients field that is not an object";
  for (const [key, client] of Object.entries(siwcClients)) {
    if (typeof client !== "string") return `siwcClients[${label(key)}] is not a string`;
  }
  return undefined;
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
