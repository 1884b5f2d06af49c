// `npm run stress`: the reliability scenarios at full size, one after another (the
// machine has 2 cores), loopback only. Prints the figures as JSON on stdout for
// docs/RELIABILITY.md; exits 1 if any scenario fails. Not part of `npm test`, which
// runs each scenario's fast subset (test/reliability/*.test.ts).
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { canaryScenario } from "./canary.js";
import { assertRejected, hostileScenario } from "./hostile.js";
import { serveLoadScenario } from "./serve-load.js";
import { sigkillScenario } from "./sigkill.js";
import { stampedeScenario } from "./stampede.js";

const SCENARIOS: Array<[string, () => Promise<unknown>]> = [
  ["sigkill", () => sigkillScenario({ kills: 210, writers: 4 })],
  ["stampede", () => stampedeScenario({ processes: 8, calls: 25, rounds: 5 })],
  ["serveLoad", () => serveLoadScenario({ requests: 10_000, concurrency: 200, warmup: 10_000, checkMemory: true })],
  [
    "hostile",
    async () => {
      const figures = await hostileScenario();
      assertRejected(figures);
      return figures;
    },
  ],
  ["canary", () => canaryScenario()],
];

const started = Date.now();
const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: {
    nproc: execFileSync("nproc", { encoding: "utf8" }).trim(),
    uname: execFileSync("uname", ["-srm"], { encoding: "utf8" }).trim(),
    cpu: cpus()[0]?.model,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
  },
  node: process.version,
  extraCaCerts: Boolean(process.env.NODE_EXTRA_CA_CERTS),
};
let failed = 0;
for (const [name, run] of SCENARIOS) {
  const t0 = Date.now();
  process.stderr.write(`stress: ${name}…\n`);
  try {
    const figures = (await run()) as object;
    report[name] = { passed: true, seconds: Math.round((Date.now() - t0) / 100) / 10, ...figures };
  } catch (error) {
    failed++;
    report[name] = { passed: false, seconds: Math.round((Date.now() - t0) / 100) / 10, error: (error as Error).message };
  }
  process.stderr.write(`stress: ${name} ${(report[name] as { passed: boolean }).passed ? "passed" : "FAILED"} in ${(report[name] as { seconds: number }).seconds} s\n`);
}
report.totalSeconds = Math.round((Date.now() - started) / 1000);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(failed === 0 ? 0 : 1);
