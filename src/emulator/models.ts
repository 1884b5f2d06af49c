// The emulated model catalog and its three wire shapes: the Platform list
// (docs/protocol.md#platform-api-key), the SIWC list (docs/protocol.md#siwc-inference) and the backend
// catalog (docs/protocol.md#codex-models-and-usage). One table keeps them consistent, and inference routes
// validate `model` and `reasoning.effort` against it.
import { createHash } from "node:crypto";
import { type HttpError, openaiError } from "./errors.js";

export interface EmulatedModel {
  slug: string;
  displayName: string;
  /** Accepted `reasoning.effort` values; empty = not a reasoning model. */
  efforts: readonly string[];
  /** Served on the Platform with an API key. */
  platform: boolean;
  /** Offered to ChatGPT-plan tokens (SIWC and the Codex backend), with this visibility. */
  chatgpt?: "list" | "hide";
  /**
   * ChatGPT catalogs list the model only to clients whose `client_version` reaches this
   * (openai/codex models.rs: `minimal_client_version`, and the query it sends).
   */
  minimalClientVersion?: readonly [number, number, number];
  created: number;
}

const GPT5X = ["none", "low", "medium", "high", "xhigh"];

// Ids are illustrative 2026 snapshots (docs/protocol.md#conventions: never hard-code them in clients). Effort
// lists follow docs/protocol.md#codex-rejected-fields: no `minimal` on GPT-5.x, no `none` on codex models.
const MODELS: readonly EmulatedModel[] = [
  { slug: "gpt-5.5", displayName: "GPT-5.5", efforts: GPT5X, platform: true, chatgpt: "list", minimalClientVersion: [0, 160, 0], created: 1772000000 },
  { slug: "gpt-5.4", displayName: "GPT-5.4", efforts: GPT5X, platform: true, chatgpt: "list", created: 1766000000 },
  { slug: "gpt-5.4-mini", displayName: "GPT-5.4 mini", efforts: ["none", "low", "medium", "high"], platform: true, chatgpt: "list", created: 1766000000 },
  { slug: "gpt-5.3-codex", displayName: "GPT-5.3 Codex", efforts: ["low", "medium", "high", "xhigh"], platform: true, chatgpt: "list", created: 1762000000 },
  // Present in the ChatGPT catalogs but not meant for pickers: clients must filter it out.
  { slug: "codex-auto-review", displayName: "Codex Auto Review", efforts: ["low", "medium"], platform: false, chatgpt: "hide", created: 1762000000 },
  { slug: "gpt-5", displayName: "GPT-5", efforts: ["minimal", "low", "medium", "high"], platform: true, created: 1754400000 },
  { slug: "gpt-5-mini", displayName: "GPT-5 mini", efforts: ["minimal", "low", "medium", "high"], platform: true, created: 1754400000 },
  { slug: "gpt-4.1", displayName: "GPT-4.1", efforts: [], platform: true, created: 1744300000 },
  { slug: "gpt-4o-mini", displayName: "GPT-4o mini", efforts: [], platform: true, created: 1721170000 },
];

export function findModel(slug: unknown, audience: "platform" | "chatgpt"): EmulatedModel | undefined {
  return MODELS.find((m) => m.slug === slug && (audience === "platform" ? m.platform : m.chatgpt !== undefined));
}

/** The 400 for a `reasoning.effort` this model does not take (docs/protocol.md#codex-rejected-fields), if any. */
export function effortError(model: EmulatedModel, reasoning: unknown): HttpError | undefined {
  const effort = (reasoning as { effort?: unknown } | null | undefined)?.effort;
  if (effort === undefined || effort === null || model.efforts.includes(String(effort))) return undefined;
  if (!model.efforts.length) {
    return openaiError(400, "Unsupported parameter: 'reasoning.effort' is not supported with this model.", "unsupported_parameter", { param: "reasoning.effort" });
  }
  const supported = model.efforts.map((e) => `'${e}'`).join(", ");
  return openaiError(
    400,
    `Unsupported value: 'reasoning.effort' does not support '${String(effort)}' with this model. Supported values are: ${supported}.`,
    "unsupported_value",
    { param: "reasoning.effort" },
  );
}

export function platformModelList(): unknown {
  return {
    object: "list",
    data: MODELS.filter((m) => m.platform).map((m) => ({ id: m.slug, object: "model", created: m.created, owned_by: "system" })),
  };
}

/** `0.169.0` → [0,169,0]; anything else (absent, malformed) is undefined. */
function parseVersion(text: string | null | undefined): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text?.trim() ?? "");
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Whether a catalog asked for with `client_version` may show the model; no version shows only unrestricted ones. */
function reachable(model: EmulatedModel, clientVersion: string | null | undefined): boolean {
  if (!model.minimalClientVersion) return true;
  const version = parseVersion(clientVersion);
  if (!version) return false;
  for (let i = 0; i < 3; i++) {
    if (version[i] !== model.minimalClientVersion[i]) return version[i] > model.minimalClientVersion[i];
  }
  return true;
}

/** SIWC `/v1/models` (docs/protocol.md#siwc-inference), filtered by the `client_version` query parameter. */
export function siwcModelList(clientVersion: string | null): unknown {
  return {
    models: MODELS.filter((m) => m.chatgpt && reachable(m, clientVersion)).map((m) => ({ slug: m.slug, display_name: m.displayName, visibility: m.chatgpt })),
  };
}

// The backend catalog never changes within a run, so it and its etag are built once.
const backendCatalog = JSON.stringify({
  models: MODELS.filter((m) => m.chatgpt).map((m, index) => ({
    slug: m.slug,
    display_name: m.displayName,
    supported_reasoning_levels: m.efforts.map((effort) => ({ effort, description: `${effort} reasoning effort` })),
    default_reasoning_level: m.efforts.includes("medium") ? "medium" : m.efforts[0],
    // docs/protocol.md#codex-models-and-usage names `service_tiers` without a shape; plain tier ids are the
    // least committal.
    service_tiers: ["priority", "flex"],
    priority: index,
    visibility: m.chatgpt,
    supported_in_api: m.platform,
  })),
});

export const backendCatalogEtag = `"${createHash("sha256").update(backendCatalog).digest("hex").slice(0, 16)}"`;

export function backendCatalogBody(): string {
  return backendCatalog;
}
