// Child process for the refresh bench: one chatgpt provider for the process; on each
// message `{ calls }` it makes that many concurrent calls and reports each one's latency.
import { createProvider } from "#src/index.js";
import { concurrentCalls } from "./refresh-calls.js";

const provider = createProvider({ provider: "chatgpt", env: process.env });

process.on("message", async (message: { calls: number }) => process.send?.(await concurrentCalls(provider, message.calls)));
process.send?.("ready");
