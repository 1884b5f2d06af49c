// The `client_version` both ChatGPT catalogs are filtered by: the SIWC `/v1/models`
// and the backend's `/codex/models` list only models whose `minimal_client_version` it
// reaches (openai/codex codex-api/src/endpoint/models.rs appends it to every catalog
// call; Relmio's 2026-10-05 live check saw the SIWC list change with it). It names a
// Codex release (the one observed in docs/protocol.md#codex-cli-client), not ours, as peers pin
// one too (docs/protocol.md#siwc-inference, docs/protocol.md#codex-models-and-usage).
const CATALOG_CLIENT_VERSION = "0.169.0";

/** `url` with `?client_version=` (or `&…` when it already has a query). */
export function withClientVersion(url: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}client_version=${CATALOG_CLIENT_VERSION}`;
}
