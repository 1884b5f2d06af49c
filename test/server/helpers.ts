// A running stack for server tests: the emulator as upstream, a state directory, and
// the local server in front (provider `openai` unless a test brings its own).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Emulator, type EmulatorOptions, startEmulator } from "#src/emulator/index.js";
import OpenAI from "openai";
import { usageWritesSettled } from "#src/providers/chatgpt-codex-usage.js";
import { freePorts, signIn as codexSignIn } from "../support/codex.js";
import { createProvider } from "#src/providers/registry.js";
import { createServer, type AccessLogEntry, type LocalServer, type ServerOptions } from "#src/server/index.js";

export interface Stack {
  emulator: Emulator;
  server: LocalServer;
  home: string;
  env: Record<string, string>;
  logs: AccessLogEntry[];
  close(): Promise<void>;
}

export interface StackOptions {
  /** Server options, or a function of the emulator (e.g. a provider pointed at it). */
  server?: Partial<ServerOptions> | ((emulator: Emulator) => Partial<ServerOptions>);
  emulator?: EmulatorOptions;
  /** Runs before the server starts (e.g. a sign-in stored in `home`). */
  setup?(emulator: Emulator, home: string): Promise<unknown>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emulator = await startEmulator(options.emulator);
  const home = await mkdtemp(join(tmpdir(), "codex-provider-server-"));
  const env = {
    CODEX_PROVIDER_HOME: home,
    CODEX_PROVIDER_API_URL: emulator.apiUrl,
    CODEX_PROVIDER_AUTH_URL: emulator.authUrl,
    CODEX_PROVIDER_CHATGPT_URL: emulator.chatgptUrl,
    OPENAI_API_KEY: emulator.apiKey,
  };
  await options.setup?.(emulator, home);
  const logs: AccessLogEntry[] = [];
  const server = await createServer({
    env,
    home,
    port: 0,
    onLog: (entry) => logs.push(entry),
    providerOptions: { retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    ...(typeof options.server === "function" ? options.server(emulator) : options.server),
  });
  return {
    emulator,
    server,
    home,
    env,
    logs,
    async close() {
      await server.close({ drainTimeoutMs: 0 });
      await emulator.close();
      // A finished chatgpt-codex response saves its usage snapshot in the background; let it land first.
      await usageWritesSettled();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A stack whose server uses provider chatgpt-codex, signed in through the emulator's Codex login. */
export async function startCodexStack(): Promise<Stack> {
  const ports = await freePorts(2);
  return startStack({
    server: { provider: "chatgpt-codex" },
    emulator: { auth: { codexRedirectPorts: ports } },
    setup: (emu, home) => codexSignIn(emu, home, ports),
  });
}

/** Run `fn` with a fresh stack, closed afterwards whatever happens. */
export async function withStack(options: StackOptions, fn: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await startStack(options);
  try {
    await fn(stack);
  } finally {
    await stack.close();
  }
}

/** Server options for a custom provider that reaches the emulator through its /v1/chat/completions only. */
export function chatUpstream(emulator: Emulator): Partial<ServerOptions> {
  return {
    provider: createProvider({
      provider: "local-chat",
      customProviders: { "local-chat": { base_url: emulator.apiUrl, wire_api: "chat", env_key: "LOCAL_KEY" } },
      env: { LOCAL_KEY: emulator.apiKey },
    }),
  };
}

/** The openai SDK as a client of the local server, retries off unless asked for. */
export function sdkClient(stack: Stack, maxRetries = 0): OpenAI {
  return new OpenAI({ baseURL: stack.server.baseUrl, apiKey: stack.server.apiKey, maxRetries });
}

export const lookupOrderTool = {
  type: "function" as const,
  name: "lookup_order",
  description: "Find an order",
  strict: false,
  parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] },
};

/** A Responses tool call and its result sent back, as an agent loop does. */
export async function assertToolRoundTrip(client: OpenAI): Promise<void> {
  const tools = [lookupOrderTool];
  const first = await client.responses.create({ model: "gpt-5.5", input: "please lookup_order 42", tools });
  const call = first.output.find((item) => item.type === "function_call");
  assert.ok(call && call.type === "function_call");
  assert.equal(call.name, "lookup_order");
  assert.equal(typeof JSON.parse(call.arguments).order_id, "string");
  const second = await client.responses.create({
    model: "gpt-5.5",
    tools,
    input: [
      { role: "user", content: "please lookup_order 42" },
      { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments },
      { type: "function_call_output", call_id: call.call_id, output: "shipped" },
    ],
  });
  assert.equal(second.output_text, "Hello from the emulator. The tool returned: shipped");
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, because fetch may not set Host or Origin (forbidden request headers). */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}
