// A request body as a Codex-style agent sends it deep into a session: every turn carries
// the instructions, the tools and the whole history (stateless, `store: false`), with each
// earlier reasoning item's `encrypted_content`. Deterministic, ~140 KB.

/** `n` characters of base64-looking text, the same each run. */
function opaque(n: number, seed: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let out = "";
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += alphabet[x >>> 26];
  }
  return out;
}

function tool(name: string, description: string, properties: Record<string, unknown>): Record<string, unknown> {
  return { type: "function", name, description, strict: false, parameters: { type: "object", properties, required: Object.keys(properties), additionalProperties: false } };
}

const TOOLS = [
  tool("shell", "Runs a shell command and returns its output. ".repeat(12), { command: { type: "array", items: { type: "string" } }, workdir: { type: "string" }, timeout_ms: { type: "number" } }),
  tool("apply_patch", "Edits files with a patch in the apply_patch format. ".repeat(20), { input: { type: "string" } }),
  tool("update_plan", "Updates the task plan: steps and their status. ".repeat(8), { plan: { type: "array", items: { type: "object" } }, explanation: { type: "string" } }),
  tool("view_image", "Attaches a local image to the conversation. ".repeat(4), { path: { type: "string" } }),
  ...["read_file", "list_dir", "grep_files", "web_search_preview"].map((name) => tool(name, `Tool ${name}. `.repeat(10), { path: { type: "string" }, pattern: { type: "string" } })),
];

const message = (role: "user" | "assistant", text: string) => ({ type: "message", role, content: [{ type: role === "user" ? "input_text" : "output_text", text }] });

/** One tool-using step of the session: reasoning, a shell call and its output, a short message. */
function step(i: number): Record<string, unknown>[] {
  const callId = `call_${opaque(24, i)}`;
  return [
    { type: "reasoning", id: `rs_${opaque(24, i + 1000)}`, summary: [{ type: "summary_text", text: `Looking at part ${i} of the code.` }], encrypted_content: `gAAAAA${opaque(2400, i + 2000)}` },
    { type: "function_call", name: "shell", arguments: JSON.stringify({ command: ["bash", "-lc", `sed -n ${i * 40},${i * 40 + 40}p src/module_${i}.ts`], workdir: "/work/repo" }), call_id: callId },
    { type: "function_call_output", call_id: callId, output: JSON.stringify({ output: `export function f${i}(x: number): number {\n  return x + ${i};\n}\n`.repeat(24), metadata: { exit_code: 0, duration_seconds: 0.1 } }) },
    message("assistant", `Part ${i} adds ${i} to its input; the caller in module ${i + 1} relies on it.`),
  ];
}

/**
 * The body's JSON text: with `store: false` as Codex sends it, or, `kept`, without `store`
 * as a client that lets its responses be kept sends it. (A `store` parameter defaulting to
 * false once made the kept cell send `store: false` too: passing undefined takes the default.)
 */
export function codexTurnBody(kept = false): string {
  const input = [message("user", "Find where the totals are computed and fix the off-by-one in the report."), ...Array.from({ length: 24 }, (_, i) => step(i)).flat()];
  return JSON.stringify({
    model: "gpt-5.5",
    instructions: "You are a coding agent running in a terminal. Follow the repository's conventions; keep changes small. ".repeat(220),
    input,
    tools: TOOLS,
    tool_choice: "auto",
    parallel_tool_calls: false,
    reasoning: { effort: "medium", summary: "auto" },
    store: kept ? undefined : false,
    stream: true,
    include: ["reasoning.encrypted_content"],
    prompt_cache_key: "0195f3a4-5b6c-7d8e-9f00-codexturnbench",
  });
}
