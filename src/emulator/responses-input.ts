// Reading a Responses request body (Platform, SIWC and the Codex backend share the shape): turn `input`,
// `tools`, `reasoning` and `include` into the responder's Turn, and enforce the replay rules every variant
// has (docs/protocol.md#platform-api-key, docs/protocol.md#codex-body): a tool result needs its tool call,
// replayed reasoning must be our own `encrypted_content` for this caller, and bare server ids only resolve
// against stored items.
import { type HttpError, openaiError } from "./errors.js";
import type { ReasoningSeal } from "./reasoning-seal.js";
import type { FunctionTool, ToolChoice, Turn } from "./responder.js";

export interface InputContext {
  /** Who the request is for; encrypted reasoning is sealed to and checked against it. */
  principal: string;
  seal: ReasoningSeal;
  /** Items carried over from `previous_response_id` (Platform only). */
  priorItems?: readonly unknown[];
  /** Whether a server item id is stored for this caller (Platform with store). */
  isStoredItem?: (id: string) => boolean;
}

type Item = Record<string, unknown>;

/** The request's `input` as items (a string is one user message). */
export function inputItems(input: unknown): Item[] | HttpError {
  if (input === undefined || input === null) return [];
  if (typeof input === "string") return [{ type: "message", role: "user", content: input }];
  if (!Array.isArray(input)) return openaiError(400, "Invalid type for 'input': expected a string or an array of input items.", "invalid_type", { param: "input" });
  return input.filter((item): item is Item => !!item && typeof item === "object");
}

export function readTurn(body: Record<string, unknown>, ctx: InputContext): Turn | HttpError {
  const current = inputItems(body.input);
  if (!Array.isArray(current)) return current;
  const items = [...((ctx.priorItems ?? []) as Item[]), ...current];

  const callIds = new Set<string>();
  let replayedReasoning = 0;
  let inputChars = typeof body.instructions === "string" ? body.instructions.length : 0;
  for (const [index, item] of items.entries()) {
    const type = itemType(item);
    inputChars += textOf(item.content).length + String(item.arguments ?? item.input ?? "").length + outputText(item.output).length;
    if (type === "function_call" || type === "custom_tool_call") callIds.add(String(item.call_id));
    else if (isToolOutput(type) && !callIds.has(String(item.call_id))) {
      return openaiError(400, `No tool call found for function call output with call_id ${String(item.call_id)}.`, null, { param: `input[${index}]` });
    } else if (type === "reasoning" && typeof item.encrypted_content === "string") {
      if (!ctx.seal.verify(item.encrypted_content, ctx.principal)) {
        return openaiError(400, `The encrypted content for item ${String(item.id ?? `input[${index}]`)} could not be verified.`, "invalid_encrypted_content", { param: `input[${index}].encrypted_content` });
      }
      replayedReasoning += 1;
    } else if ((type === "reasoning" || type === "item_reference") && typeof item.id === "string" && !ctx.isStoredItem?.(item.id)) {
      return openaiError(
        404,
        `Item with id '${item.id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
        null,
        { param: "input" },
      );
    }
  }

  const last = current[current.length - 1];
  const lastUser = [...items].reverse().find((item) => itemType(item) === "message" && item.role === "user");
  const reasoning = (body.reasoning ?? {}) as { effort?: unknown; summary?: unknown };
  const include = Array.isArray(body.include) ? body.include : [];
  return {
    prompt: lastUser ? textOf(lastUser.content) : "",
    attachments: lastUser ? attachmentsOf(lastUser.content) : 0,
    toolOutput: last && isToolOutput(itemType(last)) ? outputText(last.output) : undefined,
    tools: functionTools([...(Array.isArray(body.tools) ? body.tools : []), ...items.flatMap(additionalTools)]),
    toolChoice: toolChoice(body.tool_choice),
    effort: typeof reasoning.effort === "string" ? reasoning.effort : undefined,
    summary: typeof reasoning.summary === "string" ? reasoning.summary : undefined,
    encryptedFor: include.includes("reasoning.encrypted_content") ? ctx.principal : undefined,
    replayedReasoning,
    inputChars,
    maxOutputTokens: typeof body.max_output_tokens === "number" ? body.max_output_tokens : undefined,
    outputFormat: outputFormat((body.text as { format?: unknown } | undefined)?.format),
  };
}

/** Responses `text.format`: `{type:"json_schema", schema}` or `{type:"json_object"}`. */
function outputFormat(format: unknown): Turn["outputFormat"] {
  const f = format as { type?: unknown; schema?: unknown } | undefined;
  if (f?.type === "json_schema") return { schema: f.schema };
  if (f?.type === "json_object") return "json_object";
  return undefined;
}

function isToolOutput(type: string | undefined): boolean {
  return type === "function_call_output" || type === "custom_tool_call_output";
}

/** Items without `type` but with `role` are messages (EasyInputMessage). */
export function itemType(item: Item): string | undefined {
  return typeof item.type === "string" ? item.type : item.role !== undefined ? "message" : undefined;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (part && typeof part === "object" && typeof (part as Item).text === "string" ? ((part as Item).text as string) : ""))
    .filter(Boolean)
    .join("\n");
}

function attachmentsOf(content: unknown): number {
  if (!Array.isArray(content)) return 0;
  return content.filter((part) => part && typeof part === "object" && /image|file/.test(String((part as Item).type))).length;
}

function outputText(output: unknown): string {
  return typeof output === "string" ? output : textOf(output);
}

/** docs/protocol.md#siwc-inference: tools may also arrive as `additional_tools` input items. */
function additionalTools(item: Item): unknown[] {
  return itemType(item) === "additional_tools" && Array.isArray(item.tools) ? item.tools : [];
}

/** Function and custom tools, including those grouped in namespaces; other tool types are accepted and ignored. */
function functionTools(tools: unknown[]): FunctionTool[] {
  const out: FunctionTool[] = [];
  for (const tool of tools) {
    if (!tool || typeof tool !== "object") continue;
    const t = tool as Item;
    if (t.type === "function" && typeof t.name === "string") out.push({ name: t.name, parameters: t.parameters });
    else if (t.type === "custom" && typeof t.name === "string") out.push({ name: t.name, custom: true });
    else if (t.type === "namespace" && Array.isArray(t.tools)) out.push(...functionTools(t.tools));
  }
  return out;
}

function toolChoice(choice: unknown): ToolChoice {
  if (choice === "none" || choice === "required") return choice;
  if (choice && typeof choice === "object" && typeof (choice as Item).name === "string") return { name: (choice as Item).name as string };
  return "auto";
}
