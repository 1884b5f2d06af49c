// An unknown model is a usage mistake (exit 2) on every provider; the error shown then
// lists the models the provider does serve, or names the command that lists them.
import { ProviderError } from "../errors.js";
import type { Provider } from "../providers/provider.js";

const LIST_TIMEOUT_MS = 10_000;

/** `model_not_found`, or Sign in with ChatGPT's refusal of a model outside the plan (unsupported capability, param `model`). */
function isUnknownModel(error: unknown): error is ProviderError {
  return error instanceof ProviderError && (error.code === "model_not_found" || (error.code === "unsupported_parameter" && error.param === "model"));
}

export async function withServedModels(error: unknown, provider: Provider): Promise<unknown> {
  if (!isUnknownModel(error)) return error;
  const command = `codex-provider models -p ${provider.id}`;
  const served = await provider.listModels({ signal: AbortSignal.timeout(LIST_TIMEOUT_MS) }).catch(() => []);
  const hint = served.length > 0 ? `${provider.id} serves: ${served.map((model) => model.id).join(", ")} (${command}).` : `See the models it serves: ${command}`;
  const { status, upstreamCode, param, requestId } = error;
  return new ProviderError("model_not_found", error.message, { status, upstreamCode, param, requestId, hint, cause: error });
}
