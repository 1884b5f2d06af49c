// Waiting for something another process or socket makes true, by polling it: the one
// way tests wait, so no test sleeps a fixed time and hopes.

/** Resolves once `check` holds; fails after `timeoutMs` (generous: the machine may be busy). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
