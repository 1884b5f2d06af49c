// Everything the routes share for one emulator instance.
import type { AuthEmulator } from "./auth/index.js";
import type { FaultBook } from "./faults.js";
import type { PlanUsage, PlatformRateLimits } from "./rate-limits.js";
import type { ReasoningSeal } from "./reasoning-seal.js";
import type { ResponseStore } from "./store.js";

export interface EmulatorContext {
  auth: AuthEmulator;
  apiKeys: ReadonlySet<string>;
  faults: FaultBook;
  seal: ReasoningSeal;
  platformLimits: PlatformRateLimits;
  planUsage: PlanUsage;
  store: ResponseStore;
  deltaDelayMs: number;
  /** Added to the time in every response's Date header, to play a server whose clock disagrees with the client's. */
  clock: { skewMs: number };
}
