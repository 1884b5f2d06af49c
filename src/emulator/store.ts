// Platform `store: true` (the default): responses kept so `previous_response_id` can
// continue a conversation and bare item ids (`rs_…`) resolve. Bounded, oldest first
// out, because benchmarks send many stored requests.
const MAX_RESPONSES = 1000;

interface Stored {
  principal: string;
  /** Everything the model saw plus what it answered: the context a follow-up continues. */
  items: unknown[];
  itemIds: string[];
}

export class ResponseStore {
  private readonly responses = new Map<string, Stored>();
  private readonly items = new Map<string, string>();

  save(principal: string, responseId: string, input: readonly unknown[], output: readonly Record<string, unknown>[]): void {
    const itemIds = output.map((item) => String(item.id));
    this.responses.set(responseId, { principal, items: [...input, ...output], itemIds });
    for (const id of itemIds) this.items.set(id, principal);
    if (this.responses.size > MAX_RESPONSES) {
      const [oldestId, oldest] = this.responses.entries().next().value as [string, Stored];
      this.responses.delete(oldestId);
      for (const id of oldest.itemIds) this.items.delete(id);
    }
  }

  /** The stored context of a response, if this caller owns it. */
  context(principal: string, responseId: string): unknown[] | undefined {
    const stored = this.responses.get(responseId);
    return stored && stored.principal === principal ? stored.items : undefined;
  }

  hasItem(principal: string, itemId: string): boolean {
    return this.items.get(itemId) === principal;
  }
}
