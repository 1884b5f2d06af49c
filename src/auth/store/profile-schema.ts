// Hand-written shape check for a profile file. Problems name *where* the shape is
// wrong, never a value: the values are tokens.
import { registerSecret } from "../../redact.js";
import type {
  AccessTokenCredential,
  ApiKeyCredential,
  Credential,
  OAuthCredential,
  ProfileData,
} from "../credential.js";

interface FieldRule {
  kind: "string" | "number" | "boolean" | "string[]" | "object";
  required?: true;
  /** Registered with the redactor whenever it is loaded or saved. */
  secret?: true;
}

// One rule per field of each credential type; the mapped type makes the compiler
// insist that a field added to `credential.ts` is added here too.
type Rules<C> = { [K in Exclude<keyof C, "type">]-?: FieldRule };

const requiredString: FieldRule = { kind: "string", required: true };
const secretString: FieldRule = { kind: "string", required: true, secret: true };
const optionalString: FieldRule = { kind: "string" };
const optionalNumber: FieldRule = { kind: "number" };
const optionalBoolean: FieldRule = { kind: "boolean" };

const apiKeyRules: Rules<ApiKeyCredential> = { key: secretString, savedAt: requiredString };
const oauthRules: Rules<OAuthCredential> = {
  accessToken: secretString,
  refreshToken: secretString,
  idToken: { kind: "string", secret: true },
  expiresAt: optionalNumber,
  clientId: requiredString,
  issuer: optionalString,
  subject: optionalString,
  email: optionalString,
  accountId: optionalString,
  planType: optionalString,
  scopes: { kind: "string[]" },
  planUsageEnabled: optionalBoolean,
  lastRefresh: requiredString,
  refreshFailure: { kind: "object" },
};
const accessTokenRules: Rules<AccessTokenCredential> = {
  token: secretString,
  accountId: optionalString,
  planType: optionalString,
  email: optionalString,
  fedramp: optionalBoolean,
  expiresAt: optionalNumber,
  savedAt: requiredString,
};

const RULES: Record<Credential["type"], Record<string, FieldRule>> = {
  "api-key": apiKeyRules,
  oauth: oauthRules,
  "access-token": accessTokenRules,
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasKind(value: unknown, kind: FieldRule["kind"]): boolean {
  if (kind === "string[]") return Array.isArray(value) && value.every((item) => typeof item === "string");
  if (kind === "number") return typeof value === "number" && Number.isFinite(value);
  if (kind === "object") return isObject(value);
  return typeof value === kind;
}

/** Short, value-free label for a map key taken from the file. */
function label(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

function credentialProblem(value: unknown, where: string): string | undefined {
  if (!isObject(value)) return `${where} is not an object`;
  // `hasOwn`, so a type like "toString" does not find an inherited member.
  const rules =
    typeof value.type === "string" && Object.hasOwn(RULES, value.type)
      ? RULES[value.type as Credential["type"]]
      : undefined;
  if (!rules) return `${where}.type is not one of ${Object.keys(RULES).join(", ")}`;
  for (const [field, rule] of Object.entries(rules)) {
    const fieldValue = value[field];
    if (fieldValue === undefined) {
      if (rule.required) return `${where}.${field} is missing`;
    } else if (!hasKind(fieldValue, rule.kind)) {
      return `${where}.${field} is not a ${rule.kind}`;
    }
  }
  return undefined;
}

/**
 * What is wrong with `value` as a `ProfileData`, or undefined when it fits. Unknown
 * extra fields are allowed (and kept on rewrite) so newer files stay readable.
 */
export function profileProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "is not a JSON object";
  if (value.version !== 1) {
    return typeof value.version === "number" && value.version > 1
      ? `has version ${value.version}, written by a newer codex-provider (this one reads version 1)`
      : "has no supported version (expected 1)";
  }
  if (!isObject(value.credentials)) return "has no credentials object";
  for (const [provider, credential] of Object.entries(value.credentials)) {
    const problem = credentialProblem(credential, `credentials[${label(provider)}]`);
    if (problem) return problem;
  }
  if (value.siwcClients !== undefined) {
    if (!isObject(value.siwcClients)) return "has a siwcClients field that is not an object";
    for (const [subject, clientId] of Object.entries(value.siwcClients)) {
      if (typeof clientId !== "string") return `siwcClients[${label(subject)}] is not a string`;
    }
  }
  return undefined;
}

/** Register every secret in a (validated) profile with the redactor. */
export function registerProfileSecrets(data: ProfileData): void {
  for (const credential of Object.values(data.credentials)) {
    if (!credential) continue;
    const fields = credential as unknown as Record<string, unknown>;
    for (const [field, rule] of Object.entries(RULES[credential.type])) {
      if (rule.secret && typeof fields[field] === "string") registerSecret(fields[field]);
    }
  }
}
