// Scaffold: replaced by the chatgpt provider implementation.
import { ProviderError } from "../errors.js";
import type { Provider, ProviderContext } from "./provider.js";

export function chatgptProvider(_context: ProviderContext): Provider {
  throw new ProviderError("config_error", "The chatgpt provider is not built yet.");
}
