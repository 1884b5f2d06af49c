// A member of a relayed JSON body kept as the text it came in until something reads it.
// The local server leaves a large `input` this way when the request does not continue a
// kept one: the body then goes upstream as the client's bytes, and decoding and parsing
// the history serve would never read cost ~0.3 ms of a 136 KB request (docs/PERFORMANCE.md,
// "Fifteenth pass"); a kept turn keeps it so until a follow-up or a listing reads it
// ("Sixteenth pass"); long `instructions` and `tools` beside it stay text too ("Seventeenth
// pass"). Whatever reads such a member calls settled(); JSON.stringify reads it through toJSON().
import type { ByteChunks } from "./byte-chunks.js";

export class DeferredJson {
  #value: unknown;
  #parsed = false;

  /**
   * `bytes`: the member's value as UTF-8 JSON text (already checked to be UTF-8);
   * `invalid`: the error to throw if it is not JSON, when it is first read.
   */
  constructor(
    readonly bytes: ByteChunks,
    private readonly invalid: () => Error,
  ) {}

  /** The parsed value (parsed once, on the first call). */
  value(): unknown {
    if (!this.#parsed) {
      try {
        this.#value = JSON.parse(this.bytes.toString());
      } catch {
        throw this.invalid();
      }
      this.#parsed = true;
    }
    return this.#value;
  }

  /** The value if something has read it already, else undefined. */
  parsedValue(): unknown {
    return this.#parsed ? this.#value : undefined;
  }

  toJSON(): unknown {
    return this.value();
  }
}

/** `value`, parsed first if it is a DeferredJson. */
export function settled(value: unknown): unknown {
  return value instanceof DeferredJson ? value.value() : value;
}
