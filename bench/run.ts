// Benchmarks: our transport and server against peers in the same run, reported as ratios.
// Loopback only. Run with `npm run bench` (results also land in .bench-results/).
//
//   memory    RSS per open (idle) stream, 1000 concurrent streams, per HTTP client (bench/memory.ts)
//   call      one streaming call with 20 text deltas, sequential: wall and CPU per call
//             and, in the same section, one call with 20 000 deltas: events per second, CPU per event
//             (both against undici.request + eventsource-parser, fetch, the openai SDK, pi-ai;
//             `--node24` runs these rounds under `npx -y node@24` too, same table)
//   ttft      time to first token added over raw fetch, upstream delaying its first byte
//   serve     a client through `serve` vs straight to the upstream vs through a minimal
//             node:http pass-through proxy and a minimal parsing proxy, at 1 and 64
//             concurrent streams, after a warm-up; once with each stream written at
//             once, once with each event written on its own (bench/upstream.ts `paced`),
//             and at 1 stream with a Codex-sized request (bench/codex-turn.ts)
//   refresh   expired access token: 1000 concurrent calls in one process, 8 processes on
//             one store: refresh requests seen, latency added to the calls that waited
//   startup   `--version` and a whole `ask` (one streamed answer from the upstream; the key
//             in the environment, then signed in: a stored credential) vs `node -e 0`;
//             `import("codex-provider")` vs bare node; each with and without
//             NODE_EXTRA_CA_CERTS, and under Node 24 too with `--node24`
//   redact    1 MB of prose and of base64, patterns only vs 64 registered secrets
//
// Flags: --quick (a smoke run, under a minute), --node24, --only=SECTION[,SECTION…]
// (run only the named sections above, e.g. `--only=call,startup`); and modes that run
// only themselves: --profile (CPU profiles of 10 000 calls, ours over each HTTP client
// and the floor's, summarised), --instructions
// (instructions per call under valgrind's callgrind, ours and the floor's),
// --instructions-serve [--agent|--paced] [--by-function] (the same per proxied call in each
// proxy's own process, over a warm-up and in steady state; `--agent`: agent-sized response
// objects; `--paced`: each event written on its own; `--by-function`: where serve's
// steady-state count differs from the parsing proxy's, function by function), --alloc
// (bytes allocated per warm call, sampled heap profile, each client in a fresh child),
// --serve (the serve section alone),
// --profile-serve [--paced] (CPU profiles of `serve`, the pass-through and the parsing
// proxy in steady state under the 64-stream load, or `--streams=N`). Every upstream runs in its own process.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { benchAlloc } from "./alloc.js";
import { benchConversation } from "./conversation.js";
import { FLOOR } from "./clients.js";
import { KEY } from "./keys.js";
import { median, ratio } from "./measure.js";
import { peerRounds, ROUNDS, type PeerFigures } from "./peers.js";
import { benchInstructions, benchProxyInstructions } from "./instructions.js";
import type { MemoryFigures } from "./memory.js";
import { benchProfile } from "./profile.js";
import { codexTurnBody } from "./codex-turn.js";
import { benchProxy, benchServeProfile } from "./proxy.js";
import { benchRedact } from "./redact.js";
import { benchRefresh } from "./refresh.js";
import { benchTtft } from "./ttft.js";
import { startUpstream } from "./upstream.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Wall ms of each command, per run: the commands take turns (two unmeasured rounds
 * first), so a machine that drifts in speed during the runs shifts them all alike
 * and differences taken run by run cancel the drift.
 */
function timeCommands(commands: (string[] | { args: string[]; env: NodeJS.ProcessEnv })[], env: NodeJS.ProcessEnv, runs: number, node = process.execPath): number[][] {
  const times = commands.map((): number[] => []);
  for (let i = 0; i < runs + 2; i++) {
    commands.forEach((command, c) => {
      // A command may bring its own environment; the rest share `env`.
      const args = Array.isArray(command) ? command : command.args;
      const start = process.hrtime.bigint();
      const result = spawnSync(node, args, { env: Array.isArray(command) ? env : command.env, cwd: root, stdio: "ignore" });
      if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}`);
      if (i >= 2) times[c].push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  return times;
}

const results: Record<string, unknown> = {};
const lines: string[] = [];
const log = (line = "") => {
  lines.push(line);
  console.log(line);
};
/** The Node 24 binary npx fetches, by its path: a start-up is timed without npx's own. */
function node24Binary(): string {
  const run = spawnSync("npx", ["-y", "node@24", "-p", "process.execPath"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (run.status !== 0) throw new Error(`npx node@24 exited ${run.status}`);
  return run.stdout.trim().split("\n").pop()!;
}

/** The same rounds under Node 24 (`node24`: its binary), in a child that prints its figures as JSON. */
function node24Rounds(node24: string, upstream: string, quick: boolean): PeerFigures {
  const script = join(root, "dist-test/bench/peers.js");
  const run = spawnSync(node24, [script, upstream, ...(quick ? ["--quick"] : [])], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`the Node 24 rounds exited ${run.status}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as PeerFigures;
}

function logPeers(runs: PeerFigures[]): void {
  const head = runs.map((r) => `node ${r.node}`.padEnd(46)).join("");
  log(`  ${"".padEnd(36)} ${head}`);
  for (const name of Object.keys(runs[0].perCall)) {
    const cells = runs.map((r) => {
      const c = r.perCall[name];
      const floor = r.perCall[FLOOR];
      return `${c.wallMs.toFixed(3)} ms ${ratio(c.wallMs, floor.wallMs)}  cpu ${c.cpuMs.toFixed(3)} ms ${ratio(c.cpuMs, floor.cpuMs)}`.padEnd(46);
    });
    log(`  ${name.padEnd(36)} ${cells.join("")}`);
  }
  log(`\n## Stream throughput, one call with 20 000 deltas (events/s and CPU µs per event, median of interleaved rounds; ratio: events/s against the openai SDK)`);
  log(`  ${"".padEnd(36)} ${head}`);
  for (const name of Object.keys(runs[0].throughput)) {
    const cells = runs.map((r) => {
      const t = r.throughput[name];
      return `${Math.round(t.eventsPerSecond).toLocaleString("en")} ev/s ${ratio(t.eventsPerSecond, r.throughput["openai SDK"].eventsPerSecond)}  cpu ${t.cpuUsPerEvent.toFixed(2)} µs`.padEnd(46);
    });
    log(`  ${name.padEnd(36)} ${cells.join("")}`);
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const upstream = await startUpstream();
  try {
    log(`codex-provider benchmarks — node ${process.version}, ${new Date().toISOString()}${quick ? " (--quick: a smoke run, not figures)" : ""}`);
    if (process.argv.includes("--profile")) {
      const profiles: Record<string, unknown> = {};
      for (const client of ["codex-provider", "codex-provider (node:http)", FLOOR]) {
        log(`\n## CPU profile of ${client} calls (20 deltas each, sequential; node --cpu-prof)`);
        profiles[client] = benchProfile(upstream.url, root, log, quick ? 1000 : 10_000, client);
      }
      results.profile = profiles;
    } else if (process.argv.includes("--instructions")) {
      log(`\n## Instructions per warm call, 20 deltas (valgrind --tool=callgrind; independent of machine load)`);
      results.instructionsPerCall = benchInstructions(upstream.url, log);
    } else if (process.argv.includes("--instructions-serve")) {
      const mode = process.argv.includes("--agent") ? "agent" : process.argv.includes("--paced") ? "paced" : undefined;
      const shape = { agent: ", response objects repeating an agent's instructions and tools (~16 KB)", paced: ", each event written on its own" };
      log(`\n## Instructions per proxied call in the proxy's process, 20 deltas${mode ? shape[mode] : ""} (valgrind --tool=callgrind)`);
      const source = mode ? await startUpstream(mode) : upstream;
      try {
        results.proxyInstructionsPerCall = await benchProxyInstructions(source.url, log, process.argv.includes("--by-function"));
      } finally {
        if (mode) source.stop();
      }
    } else if (process.argv.includes("--alloc")) {
      log(`\n## Bytes allocated per warm call, 20 deltas (V8 sampling heap profiler, collected objects included; independent of machine load)`);
      results.allocPerCall = benchAlloc(upstream.url, root, log);
    } else if (process.argv.includes("--profile-serve")) {
      const streams = Number(/^--streams=(\d+)$/.exec(process.argv.find((arg) => arg.startsWith("--streams=")) ?? "")?.[1] ?? 64);
      const paced = process.argv.includes("--paced");
      log(`\n## CPU profiles of \`serve\`, the pass-through and the parsing proxy in steady state (${streams} concurrent stream${streams === 1 ? "" : "s"} of ${FLOOR} through each${paced ? ", each event written on its own" : ""}; each proxy's own process)`);
      const source = paced ? await startUpstream("paced") : upstream;
      try {
        results.serveProfile = await benchServeProfile(source.url, root, log, quick, streams);
      } finally {
        if (paced) source.stop();
      }
    } else if (process.argv.includes("--serve")) await serveSection(upstream.url, quick);
    else await allSections(upstream.url, quick);
  } finally {
    upstream.stop();
  }
  const outDir = join(root, ".bench-results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "latest.json"), `${JSON.stringify({ node: process.version, date: new Date().toISOString(), quick, ...results }, null, 2)}\n`);
  writeFileSync(join(outDir, "latest.txt"), `${lines.join("\n")}\n`);
  log(`\nSaved .bench-results/latest.{json,txt}`);
}

const SECTIONS = ["memory", "call", "ttft", "serve", "conversation", "refresh", "startup", "redact"] as const;

/** The sections `--only=a,b` names (every section without the flag). */
function selectedSections(): Set<string> {
  const flag = process.argv.find((arg) => arg.startsWith("--only="));
  if (!flag) return new Set(SECTIONS);
  const names = flag.slice("--only=".length).split(",");
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`Unknown bench section ${unknown.join(", ")}; sections: ${SECTIONS.join(", ")}`);
  return new Set(names);
}

async function serveSection(upstream: string, quick: boolean): Promise<void> {
  log(`\n## The local server: a client (${FLOOR}) straight to the upstream, through a node:http pass-through proxy (the floor), through a minimal parsing proxy (a reference), through \`serve\``);
  log(`  Each stream written at once (one network chunk per call):`);
  results.serve = await benchProxy(upstream, log, quick);
  // The API writes events as the model makes them: per-chunk costs count there, per-call ones less.
  log(`  Each event written on its own (one network chunk per event, as a model streams):`);
  const paced = await startUpstream("paced");
  try {
    results.servePaced = await benchProxy(paced.url, log, quick);
  } finally {
    paced.stop();
  }
  // What an agent sends each turn: the instructions, the tools and the whole history.
  const requestBody = codexTurnBody();
  const items = (JSON.parse(requestBody) as { input: unknown[] }).input.length;
  log(`  A Codex-sized request (${Math.round(Buffer.byteLength(requestBody) / 1024)} KB: instructions, tools, ${items} history items with encrypted reasoning), each stream written at once:`);
  // Its calls take ~2 ms through the parsing proxy: warm-up turns of 100 keep a round of
  // the four targets near a second, so none idles long enough to lose its connections.
  results.serveCodexTurn = await benchProxy(upstream, log, quick, { concurrencies: [1], requestBody, warmTurnCalls: 100 });
  // The same history from a client that does not send `store: false` (the openai SDK's
  // default): `serve` keeps each answer for a follow-up, and counts the input it keeps.
  log(`  The same request without store: false (serve keeps each response), each stream written at once:`);
  results.serveCodexTurnKept = await benchProxy(upstream, log, quick, { concurrencies: [1], requestBody: codexTurnBody(true), warmTurnCalls: 100 });
}

async function allSections(upstream: string, quick: boolean): Promise<void> {
  const only = selectedSections();
  // Fetched once by npx, then run by its path (`--node24`).
  const node24 = process.argv.includes("--node24") ? node24Binary() : undefined;
  // Memory first, while the heap holds nothing from the other runs.
  if (only.has("memory")) benchMemory(upstream, quick);
  if (only.has("call")) {
    log(
      `\n## One streaming call, 20 deltas (${quick ? 20 : 3000} warm-up calls, then ${quick ? 140 : 2000} sequential calls per client in ${ROUNDS} interleaved rounds, each client after each other one equally often; median wall ms and CPU ms per call; ratios against ${FLOOR}, the floor)`,
    );
    const peerRuns = [await peerRounds(upstream, quick)];
    if (node24) peerRuns.push(node24Rounds(node24, upstream, quick));
    logPeers(peerRuns);
    results.peers = peerRuns;
  }
  if (only.has("ttft")) {
    log(`\n## Time to first token (median of ${quick ? 10 : 100} interleaved calls)`);
    results.ttftMs = await benchTtft(upstream, log, quick);
  }
  if (only.has("serve")) await serveSection(upstream, quick);
  if (only.has("conversation")) {
    log(`\n## A conversation through \`serve\`: turns chained with previous_response_id, each adding ~1.6 KB (serve's CPU per turn, its own process)`);
    results.conversation = await benchConversation(upstream, log, quick);
  }
  if (only.has("refresh")) {
    log(`\n## Refresh with an expired access token (latency: a round with a valid token → the round that refreshed)`);
    results.refresh = await benchRefresh(log, quick);
  }
  if (only.has("startup")) benchStartup(upstream, quick, node24 ? [process.execPath, node24] : [process.execPath]);
  if (only.has("redact")) results.redact = benchRedact(log, quick);
}

/** Memory per open stream for each HTTP client, each in a fresh process (bench/memory.ts) so one's heap is not the other's baseline. */
function benchMemory(upstream: string, quick: boolean): void {
  const open = quick ? 200 : 1000;
  log(`\n## Memory per open stream (${open} concurrent idle streams, each client in a fresh process with --expose-gc; the server runs in another process)`);
  const figures: Record<string, MemoryFigures> = {};
  for (const httpClient of ["node", "undici"] as const) {
    const run = spawnSync(process.execPath, ["--expose-gc", join(root, "dist-test/bench/memory.js"), upstream, httpClient, String(open)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (run.status !== 0) throw new Error(`the memory run for ${httpClient} exited ${run.status}`);
    const f = JSON.parse(run.stdout.trim().split("\n").pop()!) as MemoryFigures;
    log(`  codex-provider, ${httpClient === "node" ? "node:http" : "undici   "}          ${f.rssKb.toFixed(1)} KB RSS, ${f.heapKb.toFixed(1)} KB heap per open stream (target ≤ 50 KB)`);
    figures[httpClient] = f;
  }
  results.memoryPerOpenStream = figures;
}

function benchStartup(upstream: string, quick: boolean, nodes: string[]): void {
  const runs = quick ? 3 : 15;
  log(`\n## Cold start (median of ${runs} runs after 2 unmeasured, ms)`);
  // A first command as a newcomer runs it: a key in the environment, nothing stored yet.
  // On Node 22+ the CLI keeps V8's compiled code where Node puts it (bin/codex-provider.js;
  // not set here, as that would reach the import rounds too): the unmeasured runs fill it,
  // as a user's first command does.
  const home = mkdtempSync(join(tmpdir(), "cp-bench-startup-"));
  const askEnv = { CODEX_PROVIDER_HOME: home, CODEX_PROVIDER_API_URL: `${upstream}/v1`, OPENAI_API_KEY: KEY };
  const withCa: NodeJS.ProcessEnv = { ...process.env, ...askEnv };
  const withoutCa: NodeJS.ProcessEnv = { ...process.env, ...askEnv };
  delete withoutCa.NODE_EXTRA_CA_CERTS;
  // And as someone signed in runs it: the credential read from the state directory's
  // profile (every ChatGPT sign-in is one), no key in the environment.
  const signedInHome = mkdtempSync(join(tmpdir(), "cp-bench-startup-signed-in-"));
  mkdirSync(join(signedInHome, "credentials"), { mode: 0o700 });
  const profile = { version: 1, credentials: { openai: { type: "api-key", key: KEY, savedAt: new Date().toISOString() } } };
  writeFileSync(join(signedInHome, "credentials", "default.json"), JSON.stringify(profile), { mode: 0o600 });
  const signedIn = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
    const { OPENAI_API_KEY: _, ...rest } = env;
    return { ...rest, CODEX_PROVIDER_HOME: signedInHome };
  };
  const startup: Record<string, Record<string, number>> = {};
  const runsFor = nodes.flatMap((node) => {
    // The machine's own Node goes unnamed; another is named once by its version.
    const named = node === process.execPath ? "" : `node ${spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim()}, `;
    return [
      [`NODE_EXTRA_CA_CERTS ${withCa.NODE_EXTRA_CA_CERTS ? "set" : "unset"}`, withCa],
      ["NODE_EXTRA_CA_CERTS unset", withoutCa],
    ].map(([ca, env]) => ({ node, env: env as NodeJS.ProcessEnv, label: `${named}${ca as string}` }));
  });
  for (const { node, env, label } of runsFor) {
    const times = timeCommands(
      [
        ["-e", "0"],
        [join(root, "bin/codex-provider.js"), "--version"],
        ["--input-type=module", "-e", "0"],
        // By the package's name, as a user imports it (the exports map's entry; run in the package, so it resolves to itself).
        ["--input-type=module", "-e", 'await import("codex-provider")'],
        [join(root, "bin/codex-provider.js"), "ask", "--provider", "openai", "hi"],
        { args: [join(root, "bin/codex-provider.js"), "ask", "--provider", "openai", "hi"], env: signedIn(env) },
      ],
      env,
      runs,
      node,
    );
    const [bare, version, importBare, importLib, ask, askSignedIn] = times.map(median);
    // The import's cost: the median of each run's difference (the two ran back to back).
    const importAdded = median(times[3].map((ms, i) => ms - times[2][i]));
    startup[label] = { nodeE0: bare, version, importLib, importBare, importAdded, ask, askSignedIn };
    log(
      `  [${label}] node -e 0: ${bare.toFixed(1)}   --version: ${version.toFixed(1)} (${ratio(version, bare)}, target ≤ 1.5×)   import("codex-provider"): +${importAdded.toFixed(1)} ms over bare (target ≤ 30)   ask: ${ask.toFixed(1)} (+${(ask - bare).toFixed(1)} ms); signed in: ${askSignedIn.toFixed(1)} (+${(askSignedIn - bare).toFixed(1)} ms)`,
    );
  }
  rmSync(home, { recursive: true, force: true });
  rmSync(signedInHome, { recursive: true, force: true });
  results.startupMs = startup;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
