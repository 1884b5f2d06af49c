// A provider over an ordered list of credentials: when one answers with a usage limit
// (the subscription window ran out) before any content reached the caller, the whole
// request goes to the next entry, with that provider's own request rules and model
// name. Nothing else moves on: throttling is retried inside each provider, auth and
// request errors stay errors. Every switch is a `fallback` event and notice.
import { messageOf, ProviderError } from "../errors.js";
import type { NoticeHandler } from "../notice.js";
import { formatReset } from "../time-format.js";
import { CallCancel } from "../transport/call-cancel.js";
import { isContentEvent, linkAbort, ResponseStream } from "../transport/response-stream.js";
import type { FallbackSwitch, ModelRequest, StreamEvent } from "../types.js";
import type { Provider } from "./provider.js";

/** One entry of a chain: a provider id, optionally `:profile`, and model renames for it. */
export interface FallbackEntry {
  provider: string;
  profile?: string;
  /** Model names the request uses → the names this entry's provider knows them by. */
  modelMap?: Record<string, string>;
}

/** Entries in the library option: `"chatgpt:work"` or an object with a model map. */
export type FallbackEntryInput = string | FallbackEntry;

/** Most entries a chain takes: each is a full request on the way down. */
const MAX_FALLBACK_ENTRIES = 8;

/** `chatgpt:work` → { provider: "chatgpt", profile: "work" }. */
function parseFallbackEntry(input: FallbackEntryInput): FallbackEntry {
  if (typeof input !== "string") return input;
  const [provider, profile, extra] = input.trim().split(":");
  if (!provider || profile === "" || extra !== undefined) {
    throw new ProviderError("config_error", `Fallback entry ${JSON.stringify(input)} is not "provider" or "provider:profile".`);
  }
  return profile === undefined ? { provider } : { provider, profile };
}

export function entryLabel(entry: FallbackEntry): string {
  return entry.profile ? `${entry.provider}:${entry.profile}` : entry.provider;
}

/** A chain's entries, validated: 1 to MAX_FALLBACK_ENTRIES, no label twice. */
export function fallbackEntries(inputs: readonly FallbackEntryInput[]): FallbackEntry[] {
  if (inputs.length === 0 || inputs.length > MAX_FALLBACK_ENTRIES) {
    throw new ProviderError("config_error", `A fallback list needs 1 to ${MAX_FALLBACK_ENTRIES} entries, got ${inputs.length}.`);
  }
  const entries = inputs.map(parseFallbackEntry);
  const labels = entries.map(entryLabel);
  const twice = labels.find((label, i) => labels.indexOf(label) !== i);
  if (twice) throw new ProviderError("config_error", `Fallback entry "${twice}" is listed twice.`);
  return entries;
}

export interface FallbackMember {
  label: string;
  provider: Provider;
  modelMap?: Record<string, string>;
}

export interface FallbackOptions {
  /** State directory: where exhausted windows are remembered. */
  home: string;
  onNotice?: NoticeHandler;
  now?: () => number;
}

/** The one-line notice for a switch. */
function fallbackMessage(step: FallbackSwitch, now = Date.now()): string {
  const reset = step.resetsAt === undefined ? "" : ` (${formatReset(step.resetsAt, now)})`;
  const why = step.reason === "exhausted" ? `${step.from} is out of usage${reset}, skipped` : `usage limit reached on ${step.from}${reset}`;
  return `${why}; continuing on ${step.to}${step.model ? ` with ${step.model}` : ""}.`;
}

/**
 * The book of exhausted windows (a file, written atomically) loads with a chain's first
 * call: `import("codex-provider")` must not pay for file writing and node:crypto.
 */
const windowBook = () => import("./exhausted-windows.js");

/** Whether an error moves a chain on: a usage limit (incl. the SIWC subscription-sharing limit, classified the same). */
function isUsageLimit(error: unknown): error is ProviderError {
  return error instanceof ProviderError && error.code === "usage_limit_reached";
}

export function fallbackProvider(members: readonly FallbackMember[], options: FallbackOptions): Provider {
  const first = members[0];
  const now = options.now ?? Date.now;

  /** Run `open` on each usable member in turn; `model` is the request's model before mapping. */
  function chain(model: string | undefined, signal: AbortSignal | undefined, open: (member: FallbackMember, model: string | undefined) => ResponseStream): ResponseStream {
    const cancel = new CallCancel();
    const unlink = linkAbort(signal, cancel);
    async function* source(): AsyncGenerator<StreamEvent[]> {
      const book = await windowBook();
      const exhausted = await book.exhaustedUntil(options.home, now());
      let pending: Omit<FallbackSwitch, "to" | "model"> | undefined;
      let lastLimit: ProviderError | undefined;
      for (const member of members) {
        const mapped = model === undefined ? undefined : (member.modelMap?.[model] ?? model);
        if (pending) {
          const step: FallbackSwitch = { ...pending, to: member.label, ...(mapped === undefined ? {} : { model: mapped }) };
          options.onNotice?.({ code: "fallback", message: fallbackMessage(step, now()), ...step });
          yield [{ type: "fallback", ...step }];
        }
        const until = exhausted.get(member.label);
        if (until !== undefined) {
          pending = { from: member.label, reason: "exhausted", resetsAt: until };
          continue;
        }
        const inner = open(member, mapped);
        // Aborted while the windows were read: the member's call must not run on.
        if (cancel.aborted) inner.abort();
        else cancel.addEventListener("abort", () => inner.abort());
        let delivered = false;
        try {
          for await (const event of inner) {
            delivered ||= isContentEvent(event);
            if (event.type === "rate_limits") await rememberFull(member.label, book.fullWindowResetsAt(event.rateLimits));
            yield [event];
          }
          return;
        } catch (error) {
          // After content, a re-send would repeat it (the retry rule): the limit surfaces as is.
          if (!isUsageLimit(error) || delivered) throw error;
          lastLimit = error;
          if (error.resetsAt !== undefined) await rememberFull(member.label, error.resetsAt);
          pending = { from: member.label, reason: "usage_limit_reached", ...(error.resetsAt === undefined ? {} : { resetsAt: error.resetsAt }) };
        }
      }
      if (lastLimit) throw lastLimit;
      const soonest = Math.min(...members.map((m) => exhausted.get(m.label)!));
      throw new ProviderError("usage_limit_reached", `Every fallback entry (${members.map((m) => m.label).join(", ")}) is out of usage; the first ${formatReset(soonest, now())}.`, {
        resetsAt: soonest,
        hint: `Wait for the reset, or add a provider to the fallback list. Remembered in ${options.home}; delete fallback-windows.json there to try anyway.`,
      });
    }
    return new ResponseStream(source(), cancel, unlink);
  }

  async function rememberFull(label: string, until: number | undefined): Promise<void> {
    if (until === undefined || until <= now()) return;
    const failure = await (await windowBook()).markExhausted(options.home, label, until, now());
    if (failure) options.onNotice?.({ code: "warning", message: `Could not remember that ${label} is out of usage: ${messageOf(failure)}` });
  }

  return {
    id: first.provider.id,
    experimental: members.some((m) => m.provider.experimental),
    auth: first.provider.auth,
    stream(request, callOptions) {
      return chain(request.model, callOptions?.signal, (member, model) => member.provider.stream(withModel(request, model), callOptions));
    },
    streamBody(body, callOptions) {
      const model = typeof body.model === "string" ? body.model : undefined;
      return chain(model, callOptions?.signal, (member, mapped) => member.provider.streamBody(mapped === undefined ? body : { ...body, model: mapped }, callOptions));
    },
    async complete(request, callOptions) {
      return this.stream(request, callOptions).result();
    },
    listModels(listOptions) {
      return first.provider.listModels(listOptions);
    },
  };
}

function withModel(request: ModelRequest, model: string | undefined): ModelRequest {
  return model === undefined || model === request.model ? request : { ...request, model };
}
