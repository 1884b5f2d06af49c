// The emulator on a free port with a Platform API-key provider against it, a fake retry
// clock, and small readers of what the emulator saw: shared by most folders of tests.
import { startEmulator, type Emulator, type EmulatorOptions } from "#src/emulator/index.js";
import { createProvider, type CreateProviderOptions } from "#src/providers/registry.js";
import type { Clock } from "#src/transport/retry.js";
import type { StreamEvent } from "#src/types.js";

/** A clock whose sleeps return at once and advance time; records every delay. */
export function fakeClock(): Clock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    random: () => 0.5,
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
    },
  };
}

export async function withEmulator(options: EmulatorOptions, fn: (emu: Emulator) => Promise<void>): Promise<void> {
  const emu = await startEmulator(options);
  try {
    await fn(emu);
  } finally {
    await emu.close();
  }
}

export function platformProvider(emu: Emulator, options: CreateProviderOptions = {}) {
  return createProvider({ provider: "openai", apiKey: emu.apiKey, baseUrl: emu.apiUrl, env: {}, ...options });
}

export async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

export function inferenceRequests(emu: Emulator, path = "/v1/responses") {
  return emu.requests.filter((r) => r.path === path);
}
