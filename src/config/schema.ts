// The config.toml schema (zod). Scalar settings are checked by the same Kind as their
// env variables and flags, so a value is described the same way wherever it is wrong.
// Every problem becomes { path, message }, the message saying what was expected and
// what was found; load.ts adds the file, line and column.
import * as z from "zod";
import { BUILTIN_PROVIDERS, SHARED_AUTH_KINDS, WIRE_APIS, type CustomProviderConfig } from "./providers.js";
import { choiceKind, SETTING_KEYS, SETTINGS, textKind, urlKind, type Kind, type SettingKey, type SettingValue } from "./settings.js";

export type ConfigData = { [K in SettingKey]?: SettingValue<K> } & {
  providers?: Record<string, CustomProviderConfig>;
  /** Per fallback entry (`openai`, `"chatgpt:work"`): request model name → that provider's name. */
  fallback_models?: Record<string, Record<string, string>>;
};

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const envNameKind: Kind<string> = {
  describe: "an environment variable name (letters, digits and _)",
  fromToml: (v) => (typeof v === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? v : undefined),
  fromText: () => undefined,
};

/** A short, safe rendering of a wrong value. */
function show(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object" && value.constructor === Object) return "a table";
  return String(value);
}

function fromKind<T>(kind: Kind<T>) {
  return z.unknown().superRefine((value, ctx) => {
    if (kind.fromToml(value) === undefined) ctx.addIssue({ code: "custom", message: `expected ${kind.describe}, got ${show(value)}` });
  });
}

const stringMap = z.record(z.string(), z.string());

const providerSchema = z.strictObject({
  name: fromKind(textKind()).optional(),
  base_url: fromKind(urlKind()),
  wire_api: fromKind(choiceKind(WIRE_APIS)).optional(),
  env_key: fromKind(envNameKind).optional(),
  env_key_instructions: fromKind(textKind()).optional(),
  headers: stringMap.optional(),
  env_headers: z.record(z.string(), fromKind(envNameKind)).optional(),
  query_params: stringMap.optional(),
  models: z.array(fromKind(textKind("a model id"))).optional(),
  experimental: z.boolean().optional(),
  requires_openai_auth: z.boolean().optional(),
  auth: fromKind(choiceKind(SHARED_AUTH_KINDS)).optional(),
});

const rootSchema = z
  .strictObject({
    ...Object.fromEntries(SETTING_KEYS.map((key) => [key, fromKind(SETTINGS[key].kind as Kind<unknown>).optional()])),
    providers: z.record(z.string(), providerSchema).optional(),
    fallback_models: z.record(z.string(), z.record(z.string(), fromKind(textKind("a model id")))).optional(),
  })
  .superRefine((config, ctx) => {
    const providers = (config.providers ?? {}) as Record<string, CustomProviderConfig>;
    for (const [name, provider] of Object.entries(providers)) {
      if ((BUILTIN_PROVIDERS as readonly string[]).includes(name)) {
        ctx.addIssue({
          code: "custom",
          path: ["providers", name],
          message: `"${name}" is a built-in provider and cannot be redefined; change its address with api_url, auth_url or chatgpt_url, or give the provider another name`,
        });
      } else if (!PROVIDER_NAME.test(name)) {
        ctx.addIssue({ code: "custom", path: ["providers", name], message: "expected a provider name of letters, digits, '.', '_' or '-'" });
      }
      if (provider.auth !== undefined && !provider.requires_openai_auth) {
        ctx.addIssue({ code: "custom", path: ["providers", name, "auth"], message: "auth only applies with requires_openai_auth = true" });
      }
    }
    const selected = (config as ConfigData).provider;
    if (typeof selected === "string" && !(BUILTIN_PROVIDERS as readonly string[]).includes(selected) && !providers[selected]) {
      ctx.addIssue({
        code: "custom",
        path: ["provider"],
        message: `expected a built-in provider (${BUILTIN_PROVIDERS.join(", ")}) or one defined under [providers.NAME], got ${show(selected)}`,
      });
    }
  });

const KNOWN_KEYS = {
  root: [...SETTING_KEYS, "providers", "fallback_models"],
  provider: Object.keys(providerSchema.shape),
};

/** Edit distance, for "did you mean" on misspelled keys. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

function unknownKeyMessage(key: string, known: string[]): string {
  const close = known.find((candidate) => distance(key, candidate) <= 2);
  return `unknown key${close ? ` (did you mean "${close}"?)` : ""}; expected one of: ${known.join(", ")}`;
}

const TYPE_NAMES: Record<string, string> = { object: "a table", record: "a table", array: "an array", string: "a string", boolean: "true or false", number: "a number" };

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined), data);
}

function toIssues(data: unknown, issues: z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path.map((key) => (typeof key === "number" ? key : String(key)));
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = path.length === 0 ? KNOWN_KEYS.root : KNOWN_KEYS.provider;
        return issue.keys.map((key) => ({ path: [...path, key], message: unknownKeyMessage(key, known) }));
      }
      case "invalid_type":
        return [{ path, message: `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${show(valueAt(data, issue.path))}` }];
      default:
        return [{ path, message: issue.message }];
    }
  });
}

export function validateConfig(data: unknown): { ok: true; config: ConfigData } | { ok: false; issues: ConfigIssue[] } {
  const result = rootSchema.safeParse(data);
  // The schema is generated from the same tables as ConfigData, so the parsed shape is that type.
  return result.success ? { ok: true, config: result.data as ConfigData } : { ok: false, issues: toIssues(data, result.error.issues) };
}
