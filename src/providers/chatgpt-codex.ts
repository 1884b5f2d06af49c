// Scaffold: replaced by the chatgpt-codex provider implementation.
import { ProviderError } from "../errors.js";
import type { Provider, ProviderContext } from "./provider.js";

export function chatgptCodexProvider(_context: ProviderContext): Provider {
  throw new ProviderError("config_error", "The chatgpt-codex provider is not built yet.");
}
