// Kill a process whose response store is writing its files, again and again, on one state
// directory: every response a later start reads back must be one that was really kept,
// whole (its earlier turns joined back from their files), and nothing may stop it loading.
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { ResponseStore } from "#src/server/response-store.js";
import { kill, nextMessage } from "../auth/store/helpers.js";
import { withHome } from "../support/home.js";
import { eventually } from "../support/poll.js";
import { CHURN_LIMITS, keptHash } from "./fixtures/response-store-churn.js";

const WORKER = fileURLToPath(new URL("./fixtures/response-store-worker.js", import.meta.url));
const IDS = Array.from({ length: 12 }, (_, i) => `resp_${i}`);

/** How many puts the workers have logged. */
const puts = (log: string) =>
  readFile(log, "utf8").then(
    (text) => text.split("\n").length - 1,
    () => 0,
  );

it("SIGKILL while responses are being written: what loads is always something kept, whole", () =>
  withHome(async (home) => {
    const log = join(home, "puts.log");
    const dir = join(home, "responses", "s");
    let stderr = "";
    let longest = 0;
    let turnFiles = 0;
    for (let run = 1; run <= 8; run++) {
      const worker = fork(WORKER, [home, log, String(run * 7919)], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
      worker.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      // It loads what the run before it left, then churns until killed.
      assert.equal(await nextMessage(worker), "ready");
      // Killed some way into its churn: after 60 more puts, and then a little more.
      const before = await puts(log);
      await eventually(async () => (await puts(log)) >= before + 60, 10_000, "60 puts");
      await sleep((run * 37) % 30);
      await kill(worker);

      const kept = new Map<string, Set<string>>();
      for (const line of (await readFile(log, "utf8")).split("\n").filter(Boolean)) {
        const [id, hash] = line.split(" ");
        kept.set(id, (kept.get(id) ?? new Set()).add(hash));
      }
      const errors: string[] = [];
      const reader = new ResponseStore(CHURN_LIMITS, home, (message) => errors.push(message));
      await reader.load("s");
      // Its clean-up of what the kill left (files nothing needs) done before anyone looks or
      // writes; closed, it lets the next worker claim the directory.
      await reader.close();
      assert.deepEqual(errors, []);
      for (const id of IDS) {
        const held = reader.get("s", id);
        if (!held) continue;
        assert.ok(kept.get(id)?.has(keptHash(held.response, held.input)), `run ${run}: ${id} as loaded was never kept`);
        longest = Math.max(longest, held.input.length);
      }
      for (const name of await readdir(dir).catch(() => [])) if (name.endsWith(".json") && (await readFile(join(dir, name), "utf8")).includes('"added":')) turnFiles++;
    }
    assert.equal(stderr, "", "no worker reported a failure to persist");
    // The runs did build conversations across restarts, in files that hold one turn each.
    assert.ok(longest >= 9, `the longest conversation read back had ${longest} items`);
    assert.ok(turnFiles > 0, "some runs were killed with follow-ups written as turn files");

    // Temp files of writes the kills cut short go at the next load: with the directory
    // claimed, no other process can be writing one. Files of other names stay.
    await writeFile(join(dir, ".resp_0.json.0123456789ab.tmp"), "{", { mode: 0o600 });
    await writeFile(join(dir, ".resp_1.json.ba9876543210.tmp"), "{", { mode: 0o600 });
    await writeFile(join(dir, "notes.txt"), "mine", { mode: 0o600 });
    const reader = new ResponseStore(CHURN_LIMITS, home);
    await reader.load("s");
    await reader.close();
    assert.deepEqual((await readdir(dir)).filter((name) => !name.endsWith(".json")), ["notes.txt"]);
  }));
