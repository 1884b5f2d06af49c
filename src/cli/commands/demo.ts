import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { messageOf } from "../../errors.js";
import { parseFlags } from "../args.js";
import type { CliContext, Command } from "../context.js";
import { style } from "../format.js";
import { StderrWriter } from "../stderr.js";

export const command: Command = {
  summary: "Run a full demo against the built-in emulator (no account needed)",
  help: `Usage: codex-provider demo [options]

Starts the built-in emulator on a free loopback port, points codex-provider at it
and streams an answer with the \`openai\` (API key) provider, token by token, with
usage on stderr. Then it signs in with ChatGPT (the demo plays the browser), asks
again with the \`chatgpt\` provider, signs in to the experimental \`chatgpt-codex\`
provider with a device code (the demo approves it), asks through it, shows the plan
usage windows and \`status\`. State goes to a temporary
CODEX_PROVIDER_HOME that is deleted afterwards. Nothing leaves this machine.

Options:
      --prompt <text>   what to ask (default: a short question)
      --delay <ms>      delay between streamed tokens (default 40, to watch it stream)
`,
  async run(args, context) {
    const { values } = parseFlags(args, { prompt: { type: "string" }, delay: { type: "string" } });
    const s = style(context.color);
    const { startEmulator } = await import("../../emulator/index.js");
    const { main } = await import("../main.js");
    // A 1 s device poll interval keeps the device-code part of the demo quick.
    const emulator = await startEmulator({ deltaDelayMs: Number(values.delay ?? 40), auth: { devicePollIntervalSeconds: 1 } });
    // The demo signs in; keep that away from the user's real credentials.
    const home = await mkdtemp(join(tmpdir(), "codex-provider-demo-"));
    try {
      const env = {
        ...context.env,
        CODEX_PROVIDER_HOME: home,
        CODEX_PROVIDER_API_URL: emulator.apiUrl,
        CODEX_PROVIDER_AUTH_URL: emulator.authUrl,
        CODEX_PROVIDER_CHATGPT_URL: emulator.chatgptUrl,
        OPENAI_API_KEY: emulator.apiKey,
        // Loopback is proxied unless NO_PROXY names it; the demo only talks to its own emulator.
        no_proxy: "*",
        NO_PROXY: "*",
      };
      const sub: CliContext = { ...context, env };
      const prompt = values.prompt ?? "What does codex-provider do?";
      context.stderr.write(s.bold(`Emulator running at ${emulator.url} (api ${emulator.apiUrl})\n`));
      context.stderr.write(s.cyan(`$ codex-provider ask --provider openai "${prompt}"\n`));
      const code = await main(["ask", "--provider", "openai", prompt], sub);
      if (code !== 0) return code;
      context.stderr.write(s.cyan(`\n$ codex-provider models --provider openai\n`));
      const listed = await main(["models", "--provider", "openai"], sub);
      if (listed !== 0) return listed;

      context.stderr.write(s.cyan(`\n$ codex-provider login --provider chatgpt --no-browser\n`));
      const browser = playBrowserOnUrl(context.stderr, `${emulator.authUrl}/api/accounts/authorize?`, (line) => context.stderr.write(s.dim(`${line}\n`)));
      const signedIn = await main(["login", "--provider", "chatgpt", "--no-browser", "--port", "0", "--quiet"], { ...sub, stderr: new StderrWriter(browser) });
      if (signedIn !== 0) return signedIn;
      context.stderr.write(s.cyan(`\n$ codex-provider ask --provider chatgpt "${prompt}"\n`));
      const asked = await main(["ask", "--provider", "chatgpt", prompt], sub);
      if (asked !== 0) return asked;

      context.stderr.write(s.cyan(`\n$ codex-provider login --provider chatgpt-codex --device\n`));
      const device = approveDeviceCode(context.stderr, (code) => emulator.auth.resolveDeviceCode(code, "approve"), (line) =>
        context.stderr.write(s.dim(`${line}\n`)),
      );
      const deviceLogin = await main(["login", "--provider", "chatgpt-codex", "--device"], { ...sub, stderr: new StderrWriter(device) });
      if (deviceLogin !== 0) return deviceLogin;
      context.stderr.write(s.cyan(`\n$ codex-provider ask --provider chatgpt-codex "${prompt}"\n`));
      const codexAsked = await main(["ask", "--provider", "chatgpt-codex", prompt], sub);
      if (codexAsked !== 0) return codexAsked;
      context.stderr.write(s.cyan(`\n$ codex-provider usage\n`));
      const usage = await main(["usage"], sub);
      if (usage !== 0) return usage;
      context.stderr.write(s.cyan(`\n$ codex-provider status\n`));
      return await main(["status"], sub);
    } finally {
      await emulator.close();
      await rm(home, { recursive: true, force: true });
    }
  },
};

/**
 * A stderr that passes everything through and calls `act` once, the first time
 * `find` spots what a user would react to in the output so far.
 */
function watchOutput(out: NodeJS.WritableStream, find: (text: string) => string | undefined, act: (found: string) => void): Writable {
  let text = "";
  let acted = false;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.write(chunk);
      if (!acted) {
        text += chunk.toString();
        const found = find(text);
        if (found) {
          acted = true;
          act(found);
        }
      }
      done();
    },
  });
}

/** When the device login prints its user code, approve it as the user would on the verification page. */
function approveDeviceCode(out: NodeJS.WritableStream, approve: (code: string) => boolean, note: (line: string) => void): Writable {
  return watchOutput(
    out,
    (text) => /Enter this code: (\S+)/.exec(text)?.[1],
    (code) => note(approve(code) ? "[demo] approved the code on the verification page" : "[demo] could not approve the code"),
  );
}

/**
 * When the login prints the authorize URL, act as the user's browser: follow the URL
 * (the emulator approves at once) and deliver the redirect to the CLI's loopback callback.
 */
function playBrowserOnUrl(out: NodeJS.WritableStream, authorizePrefix: string, note: (line: string) => void): Writable {
  const visit = async (url: string): Promise<void> => {
    const authorize = await fetch(url, { redirect: "manual" });
    const callback = authorize.headers.get("location");
    if (!callback) throw new Error(`the sign-in page answered HTTP ${authorize.status} without a redirect`);
    note("[demo browser] approved; following the redirect to the loopback callback");
    await (await fetch(callback)).text();
  };
  return watchOutput(
    out,
    (text) => text.split("\n").find((line) => line.startsWith(authorizePrefix)),
    (url) => void visit(url).catch((error: unknown) => note(`[demo browser] failed: ${messageOf(error)}`)),
  );
}
