// A scratch state directory (CODEX_PROVIDER_HOME) for one test, removed afterwards.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { usageWritesSettled } from "#src/providers/chatgpt-codex-usage.js";

export async function withHome<T>(fn: (home: string) => Promise<T>): Promise<T> {
  const home = await mkdtemp(join(tmpdir(), "codex-provider-test-"));
  try {
    return await fn(home);
  } finally {
    // A finished chatgpt-codex response saves its usage snapshot in the background; let it land first.
    await usageWritesSettled();
    await rm(home, { recursive: true, force: true });
  }
}
