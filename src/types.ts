// Public request/event types shared by every provider. One request shape goes in;
// each provider's request builder turns it into its endpoint's wire body.

export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh";
export type ReasoningSummary = "auto" | "concise" | "detailed" | "none";
export type Verbosity = "low" | "medium" | "high";

export type ContentPart =
  | { type: "text"; text: string }
  /** `url` is a data URL (`data:<mime>;base64,...`) or an https URL. */
  | { type: "image"; url: string; detail?: "auto" | "low" | "high" };

export type InputItem =
  | { type: "message"; role: "user" | "assistant" | "developer" | "system"; content: string | ContentPart[] }
  | { type: "function_call"; callId: string; name: string; arguments: string }
  | { type: "function_call_output"; callId: string; output: string }
  /** A custom tool's call (free-form `input`, not JSON arguments), replayed; Responses providers only. */
  | { type: "custom_tool_call"; callId: string; name: string; input: string }
  /** What your custom tool returned for `callId`; Responses providers only. */
  | { type: "custom_tool_call_output"; callId: string; output: string }
  /** An opaque item returned by a previous response (e.g. reasoning with encrypted_content), replayed verbatim. */
  | { type: "raw"; item: Record<string, unknown> };

export interface FunctionTool {
  type: "function";
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean | null;
}

/**
 * A custom tool (docs/protocol.md#custom-tool-calls): the model calls it with free-form text
 * (a patch, a query) instead of JSON, optionally constrained by a grammar. Responses
 * providers only; a Chat Completions provider refuses it.
 */
export interface CustomTool {
  type: "custom";
  name: string;
  description?: string;
  format?: { type: "text" } | { type: "grammar"; syntax: "lark" | "regex"; definition: string };
}

export type Tool = FunctionTool | CustomTool;

/** Structured output: free text (default), any JSON object, or JSON matching a schema. */
export type TextFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean };

export type ToolChoice = "auto" | "none" | "required" | { type: "function" | "custom"; name: string };

export interface ModelRequest {
  model?: string;
  /** System prompt. Sent as `instructions` on Responses endpoints. */
  instructions?: string;
  /** A plain string is one user message. */
  input: string | InputItem[];
  tools?: Tool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  reasoning?: { effort?: ReasoningEffort; summary?: ReasoningSummary };
  text?: { verbosity?: Verbosity; format?: TextFormat };
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  metadata?: Record<string, string>;
  store?: boolean;
  previousResponseId?: string;
  promptCacheKey?: string;
  serviceTier?: string;
  /** Provider-specific body fields merged last; the provider's rejection list still applies. */
  extraBody?: Record<string, unknown>;
}

export interface Usage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  totalTokens: number;
}

export interface RateLimitWindow {
  usedPercent: number;
  windowMinutes?: number;
  /** Epoch milliseconds. */
  resetsAt?: number;
}

/** One typed view of `x-ratelimit-*` (Platform) and `x-codex-*` (ChatGPT backend) limits. */
export interface RateLimitSnapshot {
  requests?: { limit?: number; remaining?: number; resetMs?: number };
  tokens?: { limit?: number; remaining?: number; resetMs?: number };
  primary?: RateLimitWindow;
  secondary?: RateLimitWindow;
  credits?: { hasCredits?: boolean; unlimited?: boolean; balance?: string };
  planType?: string;
  /**
   * Extra limit families besides the main (`codex`) one, by family name: the `<family>`
   * of `x-codex-<family>-*` headers, an in-band event's or `wham/usage` entry's limit id
   * without its `codex_` prefix (`codex_bengalfox` → `bengalfox`). A family literally
   * named `secondary` is possible (`x-codex-secondary-primary-used-percent`).
   */
  families?: Record<string, { primary?: RateLimitWindow; secondary?: RateLimitWindow; limitName?: string }>;
  /** `x-codex-active-limit`: the limit id a usage-limit 429 is about (`codex` = the main windows). */
  activeLimit?: string;
  /** `wham/usage` `rate_limit_reached_type.type`, e.g. `rate_limit_reached`, `workspace_member_credits_depleted`. */
  limitReachedType?: string;
  requestId?: string;
}

export interface FunctionCall {
  itemId?: string;
  callId: string;
  name: string;
  /** JSON arguments; for a custom tool call, its free-form input as the model wrote it. */
  arguments: string;
  /** "custom" for a call of a custom (free-form input) tool: a `custom_tool_call` item. */
  kind?: "function" | "custom";
}

/** An annotation on the answer's text (`url_citation`, `file_citation`, …), as the server sent it. */
export type Annotation = Record<string, unknown> & { type: string };

export type StopReason = "stop" | "tool_calls" | "length" | "content_filter" | "incomplete";

export interface ResponseResult {
  id: string;
  model: string;
  /** The final answer: message text outside the `commentary` phase. */
  text: string;
  /** Preambles the model sent before its final answer (messages with `phase: "commentary"`), "" when none. */
  commentary: string;
  /** Set when the model refused: its explanation (the answer's `refusal` content), in place of text. */
  refusal?: string;
  reasoningSummary: string;
  /** Raw reasoning text (`response.reasoning_text.*`, open-weight models), "" when none. */
  reasoningText: string;
  /** Annotations on the answer's text, in arrival order. */
  annotations: Annotation[];
  functionCalls: FunctionCall[];
  /** Output items exactly as the server sent them; replay these for stateless multi-turn. */
  output: Record<string, unknown>[];
  usage?: Usage;
  stopReason: StopReason;
  incompleteReason?: string;
  rateLimits?: RateLimitSnapshot;
  requestId?: string;
}

export type StreamEvent =
  | { type: "created"; id: string; model: string }
  | { type: "text_delta"; delta: string; itemId: string }
  /** Text of a `commentary`-phase message (a preamble): not part of `result.text`. */
  | { type: "commentary_delta"; delta: string; itemId: string }
  /** The model is refusing; the deltas add up to `result.refusal`. */
  | { type: "refusal_delta"; delta: string; itemId: string }
  | { type: "reasoning_summary_delta"; delta: string; itemId: string }
  | { type: "reasoning_text_delta"; delta: string; itemId: string }
  | { type: "annotation"; annotation: Annotation; itemId: string }
  /** A function (or custom tool) call began: its name is known before its arguments stream in. */
  | { type: "function_call_start"; itemId: string; callId: string; name: string; kind?: "function" | "custom" }
  | { type: "function_call_arguments_delta"; delta: string; itemId: string }
  | { type: "function_call"; call: FunctionCall }
  | { type: "output_item_done"; item: Record<string, unknown> }
  | { type: "rate_limits"; rateLimits: RateLimitSnapshot }
  | { type: "usage"; usage: Usage }
  /** `response`: in a relay (`rawEvents: "sse"`) of the Responses wire, the terminal event's response object as the upstream sent it. */
  | { type: "done"; result: ResponseResult; response?: Record<string, unknown> }
  /**
   * The decoded wire event, before mapping; only when the call asked for `rawEvents`.
   * `data` is its JSON text as received (absent for events the library made up), so a
   * pass-through server can forward it without encoding it again.
   */
  | { type: "raw"; event: Record<string, unknown>; data?: string }
  /**
   * Only with `rawEvents: "sse"`: event blocks of the upstream's stream as received
   * (LF-framed, each ending in a blank line; an upstream that frames with CR, or leaves
   * out an event's `event:` line, is re-framed).
   * `event` is set when the block is one event the library decoded (see EventMapper.relay);
   * `kept`, the event's type, when it is one the library reads itself after handing over
   * its bytes: a finished output item (decoded only if the terminal response comes
   * without output), or the terminal event of a finished answer, which ends its batch and
   * is decoded in the next (the `done` event carries its response).
   */
  | { type: "sse"; bytes: Uint8Array; event?: Record<string, unknown>; kept?: string }
  /** A fallback chain moved on before any content: see FallbackSwitch. */
  | ({ type: "fallback" } & FallbackSwitch);

/**
 * A fallback chain left one entry for the next: after a usage limit (`usage_limit_reached`),
 * or without a request because the entry's window is known to be exhausted (`exhausted`).
 */
export interface FallbackSwitch {
  /** Entry labels as configured: `chatgpt-codex`, `chatgpt:work`. */
  from: string;
  to: string;
  reason: "usage_limit_reached" | "exhausted";
  /** Epoch milliseconds when `from`'s window resets, when known. */
  resetsAt?: number;
  /** The model sent to `to` (after its model map), when the request named one. */
  model?: string;
}

export interface ModelInfo {
  id: string;
  displayName?: string;
  ownedBy?: string;
}
