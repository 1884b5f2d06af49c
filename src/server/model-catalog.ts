// The provider's model list, cached, so an unknown model is a fast 404 in OpenAI's
// shape instead of whatever each upstream says (the SIWC path answers a 400). A model
// missing from a list older than a minute triggers one refetch (the catalog changes
// weekly, docs/protocol.md#conventions); if the list cannot be fetched at all, requests go through unchecked
// and the upstream decides.
import { ProviderError } from "../errors.js";
import type { Provider } from "../providers/provider.js";
import type { ModelInfo } from "../types.js";
import { ServerError } from "../wire/server-error.js";

const FRESH_MS = 10 * 60_000;
const REFETCH_ON_MISS_MS = 60_000;
const FAILURE_BACKOFF_MS = 30_000;
const LISTED_IN_404 = 12;

export class ModelCatalog {
  private models?: ModelInfo[];
  private fetchedAt = 0;
  private failedAt = -Infinity;
  private inFlight?: Promise<ModelInfo[]>;

  constructor(
    private readonly provider: Provider,
    private readonly now: () => number = Date.now,
  ) {}

  /** The list for `GET /v1/models`; throws the provider's error when it cannot be fetched. */
  async list(): Promise<ModelInfo[]> {
    if (this.models && this.now() - this.fetchedAt < FRESH_MS) return this.models;
    return this.fetch();
  }

  /**
   * Rejects with a 404 for a model the provider does not list. A fresh list that has the
   * model (nearly every request) answers at once, without a promise.
   */
  check(model: string): Promise<void> | undefined {
    const now = this.now();
    if (now - this.failedAt < FAILURE_BACKOFF_MS) return undefined;
    if (this.models && now - this.fetchedAt < FRESH_MS && this.models.some((m) => m.id === model)) return undefined;
    return this.checkListed(model);
  }

  private async checkListed(model: string): Promise<void> {
    let models: ModelInfo[];
    try {
      models = await this.list();
      if (!models.some((m) => m.id === model) && this.now() - this.fetchedAt >= REFETCH_ON_MISS_MS) models = await this.fetch();
    } catch (error) {
      if (error instanceof ProviderError) return; // Unverifiable: let the upstream answer.
      throw error;
    }
    if (models.some((m) => m.id === model)) return;
    const known = models.slice(0, LISTED_IN_404).map((m) => m.id).join(", ");
    throw new ServerError(
      404,
      `The model '${model}' does not exist or you do not have access to it${known ? ` (available: ${known}${models.length > LISTED_IN_404 ? ", …" : ""})` : ""}.`,
      "model_not_found",
      { param: "model" },
    );
  }

  private fetch(): Promise<ModelInfo[]> {
    // One fetch at a time however many requests arrive together.
    this.inFlight ??= this.provider
      .listModels()
      .then(
        (models) => {
          this.models = models;
          this.fetchedAt = this.now();
          return models;
        },
        (error: unknown) => {
          this.failedAt = this.now();
          throw error;
        },
      )
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
