// The emulated model. Given a normalized turn (what was asked, which tools exist,
// reasoning settings), produce a deterministic answer: optional reasoning, then
// either a function call or a text message split into word-sized deltas, with
// plausible token usage. Both the Responses and the Chat Completions routes render
// this same answer in their own wire format.
import { newId } from "./ids.js";
import type { ReasoningSeal } from "./reasoning-seal.js";

export interface FunctionTool {
  name: string;
  parameters?: unknown;
  /** A custom tool (`type: "custom"`): called with free-form text input, not JSON arguments. */
  custom?: boolean;
}

/**
 * Answer shapes a test can ask for (through a fault), each built from the Responses
 * event union: a refusal, a commentary preamble before the answer, a URL citation on
 * the answer, raw reasoning text.
 */
export type AnswerShape = "refusal" | "commentary" | "annotations" | "reasoning_text";

/** `auto` calls a tool the prompt mentions; `required` falls back to the first tool. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

export interface Turn {
  /** Text of the last user message ("" when there is none). */
  prompt: string;
  /** Images/files in the last user message. */
  attachments: number;
  /** Set when the input ends with a tool result: the answer reports it. */
  toolOutput?: string;
  tools: FunctionTool[];
  toolChoice: ToolChoice;
  /** reasoning.effort as sent. */
  effort?: string;
  /** reasoning.summary as sent. */
  summary?: string;
  /** Caller to seal reasoning for, when `include` asks for `reasoning.encrypted_content`. */
  encryptedFor?: string;
  /** Verified encrypted reasoning items replayed in the input. */
  replayedReasoning: number;
  /** Characters of text in instructions and input, for input_tokens. */
  inputChars: number;
  maxOutputTokens?: number;
  /** Structured output requested (`text.format` / `response_format`): a JSON schema, or "json_object". */
  outputFormat?: { schema: unknown } | "json_object";
  /** Label assistant messages with `phase` and announce tool calls with a commentary preamble (the ChatGPT backend). */
  phases?: boolean;
  shape?: AnswerShape;
}

type MessagePhase = "commentary" | "final_answer";

export type AnswerItem =
  /** `content`: raw reasoning text pieces (`reasoning_text` parts). */
  | { type: "reasoning"; id: string; summary: string[]; content?: string[]; encryptedContent?: string }
  /** `refusal`: the pieces are a refusal, sent as a `refusal` content part. */
  | { type: "message"; id: string; pieces: string[]; phase?: MessagePhase; refusal?: boolean; annotations?: Record<string, unknown>[] }
  | { type: "function_call" | "custom_tool_call"; id: string; callId: string; name: string; pieces: string[] };

interface Usage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface Answer {
  items: AnswerItem[];
  usage: Usage;
  /** Set when the answer was cut short (status `incomplete`). */
  incompleteReason?: string;
}

const REASONING_TOKENS: Record<string, number> = { minimal: 8, low: 16, medium: 32, high: 64, xhigh: 128 };
const PROMPT_ECHO_LIMIT = 200;
const TOOL_OUTPUT_LIMIT = 2000;

const REFUSAL = "I'm sorry, but I can't help with that request.";
const CITATION = { title: "Emulated source", url: "https://example.com/emulated-source" };

export function respond(turn: Turn, seal: ReasoningSeal): Answer {
  const items: AnswerItem[] = [];
  const reasoning = reasoningItem(turn, seal);
  if (reasoning) items.push(reasoning);
  const call = turn.toolOutput === undefined && turn.shape !== "refusal" ? chooseTool(turn) : undefined;
  const phase = turn.phases || turn.shape === "commentary" ? "final_answer" : undefined;
  // A preamble precedes tool calls on the backend (Codex's commentary), or any answer when asked.
  if ((call && turn.phases) || turn.shape === "commentary") {
    items.push({ type: "message", id: newId("msg"), pieces: words(call ? `I'll use ${call.name} for this.` : "Let me think about how to answer."), phase: "commentary" });
  }
  if (turn.shape === "refusal") {
    items.push({ type: "message", id: newId("msg"), pieces: words(REFUSAL), phase, refusal: true });
  } else if (call) {
    const input = call.custom ? `input for ${call.name}: ${clip(turn.prompt, PROMPT_ECHO_LIMIT)}` : JSON.stringify(sampleObject(call.parameters));
    items.push({ type: call.custom ? "custom_tool_call" : "function_call", id: newId(call.custom ? "ctc" : "fc"), callId: newId("call"), name: call.name, pieces: chunk(input, 12) });
  } else {
    const pieces = messagePieces(turn);
    const text = pieces.join("");
    // The citation spans the answer's first word.
    const annotations = turn.shape === "annotations" ? [{ type: "url_citation", start_index: 0, end_index: text.indexOf(" ") < 0 ? text.length : text.indexOf(" "), ...CITATION }] : undefined;
    items.push({ type: "message", id: newId("msg"), pieces, phase, annotations });
  }
  const reasoningTokens = reasoning || (turn.effort && turn.effort !== "none") ? REASONING_TOKENS[turn.effort ?? "medium"] ?? 32 : 0;
  const answer = withUsage(items, turn, reasoningTokens);
  const limit = turn.maxOutputTokens;
  if (limit !== undefined && answer.usage.output_tokens > limit) {
    const summaryPieces = reasoning?.type === "reasoning" ? reasoning.summary.length : 0;
    return truncateAnswer(answer, turn, Math.max(0, limit - reasoningTokens - summaryPieces), "max_output_tokens");
  }
  return answer;
}

/** Keep only the first `pieces` deltas of the final item and mark the answer incomplete. */
export function truncateAnswer(answer: Answer, turn: Turn, pieces: number, reason: string): Answer {
  const items = answer.items.map((item, index) =>
    index === answer.items.length - 1 && item.type !== "reasoning" ? { ...item, pieces: item.pieces.slice(0, pieces) } : item,
  );
  return { ...withUsage(items, turn, answer.usage.output_tokens_details.reasoning_tokens), incompleteReason: reason };
}

function withUsage(items: AnswerItem[], turn: Turn, reasoningTokens: number): Answer {
  let output = reasoningTokens;
  for (const item of items) output += item.type === "reasoning" ? item.summary.length + (item.content?.length ?? 0) : item.pieces.length;
  const input = Math.max(1, Math.ceil(turn.inputChars / 4));
  return {
    items,
    usage: {
      input_tokens: input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: reasoningTokens },
      total_tokens: input + output,
    },
  };
}

function reasoningItem(turn: Turn, seal: ReasoningSeal): AnswerItem | undefined {
  if (turn.effort === "none") return undefined;
  const wantsSummary = turn.summary !== undefined && turn.summary !== "none";
  const rawText = turn.shape === "reasoning_text";
  if (!wantsSummary && !turn.encryptedFor && !rawText) return undefined;
  const id = newId("rs");
  const asked = clip(turn.prompt || "for a tool result", 60);
  const summary = wantsSummary ? words(`**Answering directly** The user asked "${asked}", so I will reply concisely.`) : [];
  const content = rawText ? words(`The user asked "${asked}". A short, direct reply fits.`) : undefined;
  return { type: "reasoning", id, summary, content, encryptedContent: turn.encryptedFor ? seal.seal(turn.encryptedFor, id) : undefined };
}

/** Text for a message; with a structured-output request, JSON that fits what was asked. */
function messagePieces(turn: Turn): string[] {
  const format = turn.outputFormat;
  if (format === undefined) return words(answerText(turn));
  const value = format === "json_object" ? { answer: answerText(turn) } : sampleValue("result", (format.schema ?? {}) as Schema);
  return chunk(JSON.stringify(value), 12);
}

function chooseTool(turn: Turn): FunctionTool | undefined {
  const choice = turn.toolChoice;
  if (choice === "none" || turn.tools.length === 0) return undefined;
  if (typeof choice === "object") return turn.tools.find((t) => t.name === choice.name);
  const prompt = turn.prompt.toLowerCase();
  const mentioned = turn.tools.find((t) => prompt.includes(t.name.toLowerCase()));
  return mentioned ?? (choice === "required" ? turn.tools[0] : undefined);
}

function answerText(turn: Turn): string {
  let text =
    turn.toolOutput !== undefined
      ? `Hello from the emulator. The tool returned: ${clip(turn.toolOutput, TOOL_OUTPUT_LIMIT)}`
      : `Hello from the emulator. You asked: "${clip(turn.prompt, PROMPT_ECHO_LIMIT)}"`;
  if (turn.attachments > 0) text += ` (with ${plural(turn.attachments, "attachment")})`;
  if (turn.replayedReasoning > 0) text += ` (continuing from ${plural(turn.replayedReasoning, "reasoning item")})`;
  return text;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function clip(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

/** Word-sized deltas that concatenate back to `text`. */
function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [text];
}

function chunk(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces.length ? pieces : [""];
}

type Schema = { type?: unknown; properties?: Record<string, Schema>; required?: unknown; enum?: unknown[]; minimum?: number };

/** Arguments that satisfy the schema's required properties with plausible values. */
function sampleObject(schema: unknown): Record<string, unknown> {
  const s = (schema ?? {}) as Schema;
  const out: Record<string, unknown> = {};
  const required = Array.isArray(s.required) ? (s.required as unknown[]).map(String) : [];
  for (const name of required) out[name] = sampleValue(name, s.properties?.[name] ?? {});
  return out;
}

function sampleValue(name: string, schema: Schema): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== "null") ?? "string";
  switch (type) {
    case "number":
    case "integer":
      return schema.minimum ?? 42;
    case "boolean":
      return true;
    case "object":
      return sampleObject(schema);
    case "array":
      return [];
    default:
      return sampleString(name);
  }
}

function sampleString(name: string): string {
  if (/city|location|place|address/i.test(name)) return "Paris";
  if (/date/i.test(name)) return "2026-01-01";
  if (/email/i.test(name)) return "user@example.com";
  if (/unit/i.test(name)) return "celsius";
  return `example ${name}`;
}
