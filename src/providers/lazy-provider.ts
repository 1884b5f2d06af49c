// A Provider whose implementation module loads on first use. Construction stays
// synchronous and cheap; every method waits for the module, then delegates.
import type { AuthSource } from "../transport/auth-source.js";
import { ResponseStream } from "../transport/response-stream.js";
import type { Provider } from "./provider.js";

export function lazyProvider<P extends Provider>(id: string, experimental: boolean, load: () => Promise<P>): Provider & { load(): Promise<P> } {
  let loaded: Promise<P> | undefined;
  const get = () => (loaded ??= load());
  const auth: AuthSource = {
    description: `${id} credential`,
    headers: async (signal) => (await get()).auth.headers(signal),
    unauthorized: async (signal, rejected) => (await get()).auth.unauthorized(signal, rejected),
  };
  return {
    id,
    experimental,
    auth,
    load: get,
    stream: (request, options) => ResponseStream.deferred(async () => (await get()).stream(request, options), options?.signal),
    streamBody: (body, options) => ResponseStream.deferred(async () => (await get()).streamBody(body, options), options?.signal),
    complete: async (request, options) => (await get()).complete(request, options),
    listModels: async (options) => (await get()).listModels(options),
  };
}
