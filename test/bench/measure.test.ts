// The bench's round order: peers share one process, so the client measured right after a
// heavy one pays for collecting its garbage. Over a whole design every client must come
// right after every other one equally often, or one client takes that cost every round.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { balancedOrder } from "../../bench/measure.js";

describe("balancedOrder", () => {
  for (const n of [2, 3, 4, 5, 6, 7]) {
    it(`gives each of ${n} clients every predecessor equally often`, () => {
      const rounds = n % 2 === 0 ? n : 2 * n;
      const follows = new Map<string, number>();
      for (let round = 0; round < rounds; round++) {
        const order = balancedOrder(n, round);
        assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `round ${round} is a permutation`);
        for (let j = 1; j < n; j++) follows.set(`${order[j - 1]}>${order[j]}`, (follows.get(`${order[j - 1]}>${order[j]}`) ?? 0) + 1);
      }
      assert.equal(follows.size, n * (n - 1), "every ordered pair occurs");
      assert.deepEqual(new Set(follows.values()), new Set([rounds / n]), "and equally often");
    });
  }
});
