import { ProviderError } from "../../errors.js";
import { stateHome, type Env } from "../../config/paths.js";
import { CONNECTION_SETTING_FLAGS, PER_REQUEST_SETTINGS, SERVE_SETTING_FLAGS, SETTING_KEYS, settingsHelp, type Settings } from "../../config/settings.js";
import { parseFlags } from "../args.js";
import type { CliContext, Command } from "../context.js";
import { style } from "../format.js";
import { cliSettings, noticePrinter, providerFor } from "../open-provider.js";
import { selectedStatus } from "../provider-status.js";

const DRAIN_MS = 10_000;
/** The env var Codex reads the local key from (its `env_key`). */
const CODEX_ENV_KEY = "CODEX_PROVIDER_KEY";

// Each request names its own model, effort and verbosity, so those settings do not apply.
const SERVE_SETTINGS_HELP = settingsHelp(SETTING_KEYS.filter((key) => !PER_REQUEST_SETTINGS.includes(key)));
const MIB = 1024 * 1024;

export const command: Command = {
  summary: "Serve your credential as a local OpenAI-compatible API",
  help: `Usage: codex-provider serve [options]

Runs a local OpenAI-compatible server (Responses, Chat Completions, models, and
Anthropic Messages) in the foreground, so the openai and Anthropic SDKs, Codex CLI and
other tools can use the provider's credential. Every request needs the local key
(Authorization: Bearer <key>, or x-api-key: <key>), but for
GET /health without one: a liveness answer, {"status":"ok"}, and nothing else.
A warning at start says when the provider has no usable credential (see \`status\`).
Ctrl-C lets in-flight requests finish for ${DRAIN_MS / 1000} s, then stops; a second Ctrl-C stops now.

Options:
      --port <n>        port (default 8787; 0 = a free port)
      --host <addr>     address to bind (default 127.0.0.1). Anything else exposes the
                        server to your network over plain HTTP (still behind the key)
      --cors <origin>   allow browser pages from this origin (repeatable; default none)
      --log-bodies      include request bodies (prompts!) in the access log, redacted
      --print-key       print the local key and exit
      --json            print the connection details as one JSON object; JSON log lines
  -q, --quiet           no access log
      --verbose         error details

${SERVE_SETTINGS_HELP}

Endpoints: POST /v1/responses, POST /v1/chat/completions, POST /v1/messages (Anthropic),
POST /v1/messages/count_tokens (an estimate), GET /v1/models, GET /health

Examples:
  codex-provider serve --provider chatgpt
  OPENAI_BASE_URL=http://127.0.0.1:8787/v1 OPENAI_API_KEY="$(codex-provider serve --print-key)" my-tool
`,
  async run(args, context) {
    const { values } = parseFlags(args, {
      ...CONNECTION_SETTING_FLAGS,
      ...SERVE_SETTING_FLAGS,
      port: { type: "string" },
      host: { type: "string" },
      cors: { type: "string", multiple: true },
      "log-bodies": { type: "boolean" },
      "print-key": { type: "boolean" },
      json: { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      verbose: { type: "boolean" },
    });
    const home = stateHome(context.env);
    const [{ loadOrCreateLocalKey, localKeyPath }, { startServer, DEFAULT_PORT, DEFAULT_HOST }, { formatAccessJson, formatAccessLine }, { isLoopbackName }] = await Promise.all([
      import("../../server/local-key.js"),
      import("../../server/server.js"),
      import("../../server/access-log.js"),
      import("../../server/auth-guard.js"),
    ]);
    if (values["print-key"]) {
      context.stdout.write(`${await loadOrCreateLocalKey(home)}\n`);
      return 0;
    }
    const port = parsePort(values.port, DEFAULT_PORT);
    const host = values.host ?? DEFAULT_HOST;
    const s = style(context.color);
    const env = withoutSelfReference(context.env, port, isLoopbackName, (message) => context.stderr.write(s.yellow(`warning: ${message}\n`)));

    const serveContext = { ...context, env };
    const { cors, ...flags } = values;
    const settings = await cliSettings(flags, serveContext);
    const bodyMib = settings.settings.max_request_body_mib.value;
    const credential = await selectedStatus(settings, serveContext);
    if (credential && !credential.usable) {
      const why = credential.unreadable ? "its credential file is unreadable" : credential.loggedIn ? "its credential is not usable" : "you are not signed in";
      context.stderr.write(
        s.yellow(`warning: ${settings.settings.provider.value ?? "openai"} has no usable credential (profile ${credential.profile}: ${why}); model requests will fail until you fix it.${credential.hint ? ` → ${credential.hint}` : ""}\n`),
      );
    }
    let server;
    try {
      server = await startServer({
        provider: providerFor(settings, flags, serveContext, "undici"),
        profile: settings.settings.profile.value,
        home,
        host,
        port,
        cors,
        logBodies: values["log-bodies"],
        drainTimeoutMs: DRAIN_MS,
        limits: { maxConnections: settings.settings.max_connections.value },
        maxBodyBytes: bodyMib === undefined ? undefined : bodyMib * MIB,
        responseStore: responseStoreLimits(settings.settings),
        claudeModel: settings.settings.claude_model.value,
        onLog: values.quiet ? undefined : (entry) => context.stderr.write(`${values.json ? formatAccessJson(entry) : formatAccessLine(entry)}\n`),
        onError: (message) => context.stderr.write(s.red(`error: ${message}\n`)),
        onNotice: noticePrinter(context, { quiet: Boolean(values.quiet), experimentalNotice: true }),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new ProviderError("config_error", `Port ${port} is already in use.`, { hint: "Pick another with --port (0 = a free port)." });
      }
      throw error;
    }

    const providerId = server.provider.id;
    const codexConfig = [
      `[model_providers.codex-provider]`,
      `name = "codex-provider (${providerId})"`,
      `base_url = "${server.baseUrl}"`,
      `wire_api = "responses"`,
      `env_key = "${CODEX_ENV_KEY}"`,
    ].join("\n");
    // The key itself is never printed here (stdout may be a log); clients fetch it.
    const keyCommand = `"$(codex-provider serve --print-key)"`;
    // Listening before the ready line goes out: a signal sent on seeing it (a supervisor,
    // a test) must find the handler that closes the server, not the default (die).
    const shutdown = waitForShutdown(server, context, s);
    if (values.json) {
      context.stdout.write(
        `${JSON.stringify({
          url: server.url,
          baseUrl: server.baseUrl,
          provider: providerId,
          experimental: server.provider.experimental,
          keyFile: localKeyPath(home),
          env: { OPENAI_BASE_URL: server.baseUrl },
          codexEnvKey: CODEX_ENV_KEY,
          codexConfig,
        })}\n`,
      );
    } else {
      const out = context.stdout;
      out.write(`codex-provider is serving ${s.bold(providerId)}${server.provider.experimental ? s.yellow(" (experimental, ChatGPT-backed)") : ""} at ${s.bold(server.baseUrl)}\n\n`);
      out.write(`For the openai SDKs and most tools:\n  export OPENAI_BASE_URL=${server.baseUrl}\n  export OPENAI_API_KEY=${keyCommand}\n\n`);
      out.write(`For Codex CLI, add to ~/.codex/config.toml:\n${codexConfig.replace(/^/gm, "  ")}\n`);
      out.write(`then: export ${CODEX_ENV_KEY}=${keyCommand}; codex -c model_provider=codex-provider\n\n`);
      out.write(`Press Ctrl-C to stop.\n`);
    }
    if (!isLoopbackName(host)) {
      context.stderr.write(s.yellow(`warning: listening on ${host}: reachable from your network over plain HTTP. Every request still needs the local key.\n`));
    }

    await shutdown;
    return 0;
  },
};

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ProviderError("config_error", `--port must be a number from 0 to 65535 (got "${value}").`);
  return port;
}

/**
 * The `OPENAI_BASE_URL` we tell clients to export must not become this server's own
 * upstream (provider `openai` reads it): that would send every request in a loop.
 */
function withoutSelfReference(env: Env, port: number, isLoopback: (host: string) => boolean, warn: (message: string) => void): Env {
  const value = env.OPENAI_BASE_URL;
  if (!value || env.CODEX_PROVIDER_API_URL) return env;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return env;
  }
  if (!isLoopback(url.hostname.replace(/^\[|\]$/g, "")) || Number(url.port || 80) !== port) return env;
  warn(`ignoring OPENAI_BASE_URL=${value}: it points at this server (it is for clients, not for serve).`);
  const { OPENAI_BASE_URL: _ignored, ...rest } = env;
  return rest;
}

/** The response store's limits from settings (each has a default, so all are set). */
function responseStoreLimits(settings: Settings): { maxEntries?: number; maxBytes?: number; retentionHours?: number } {
  const mib = settings.responses_store_mib.value;
  return {
    maxEntries: settings.responses_store_max.value,
    maxBytes: mib === undefined ? undefined : mib * MIB,
    retentionHours: settings.responses_store_hours.value,
  };
}

async function waitForShutdown(server: { close(): Promise<void>; inFlight(): number }, context: CliContext, s: ReturnType<typeof style>): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => {
      const count = server.inFlight();
      if (count > 0) context.stderr.write(s.dim(`Draining ${count} in-flight request(s) for up to ${DRAIN_MS / 1000} s; Ctrl-C again to stop now.\n`));
      server.close().then(resolve, resolve);
    };
    process.once("SIGINT", () => {
      process.on("SIGINT", () => void server.close());
      stop();
    });
    process.once("SIGTERM", stop);
  });
}
