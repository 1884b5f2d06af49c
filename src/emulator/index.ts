// The built-in emulator: one loopback HTTP server standing in for api.openai.com/v1,
// auth.openai.com (the auth half, mounted at /auth) and chatgpt.com/backend-api. It is
// an independent reading of docs/protocol.md, used by tests, benchmarks, the demo and the
// `codex-provider emulator` command.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createAuthEmulator } from "./auth/index.js";
import type { EmulatorContext } from "./context.js";
import { FaultBook } from "./faults.js";
import { PlanUsage, PlatformRateLimits } from "./rate-limits.js";
import { ReasoningSeal } from "./reasoning-seal.js";
import { createEmulatorServer } from "./server.js";
import { ResponseStore } from "./store.js";
import type { Emulator, EmulatorOptions } from "./types.js";

export type { Emulator, EmulatorOptions, RecordedRequest } from "./types.js";
export type { FaultName, FaultSpec } from "./faults.js";
export type * from "./auth/index.js";

const DEFAULT_USAGE_RESET_SECONDS = 8040;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  let url = "";
  const auth = await createAuthEmulator({ ...options.auth, user: options.user ?? options.auth?.user, issuer: () => `${url}/auth` });
  // A real-looking project key, so clients' key-shape checks and redaction see the real thing.
  const apiKey = `sk-proj-${randomBytes(60).toString("base64url")}`;
  const faults = new FaultBook();
  const ctx: EmulatorContext = {
    auth,
    apiKeys: new Set([apiKey, ...(options.apiKeys ?? [])]),
    faults,
    seal: new ReasoningSeal(),
    platformLimits: new PlatformRateLimits(),
    planUsage: new PlanUsage(options.usageBudget ?? Infinity, options.usageResetSeconds ?? DEFAULT_USAGE_RESET_SECONDS),
    store: new ResponseStore(),
    deltaDelayMs: options.deltaDelayMs ?? 0,
    clock: { skewMs: options.clockSkewMs ?? 0 },
  };
  const emulatorServer = createEmulatorServer(ctx, options.log);
  const { server } = emulatorServer;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url,
    apiUrl: `${url}/v1`,
    authUrl: `${url}/auth`,
    chatgptUrl: `${url}/backend-api`,
    apiKey,
    auth,
    requests: emulatorServer.requests,
    setFault: (spec) => faults.push(spec),
    clearFaults: () => faults.clear(),
    setClockSkew: (ms) => {
      ctx.clock.skewMs = ms;
    },
    close: () => emulatorServer.close(),
  };
}
