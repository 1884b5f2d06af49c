// The provider surface users hold: stream, complete, listModels. A provider is a
// spec (where to send, how to authenticate, how to build and parse) plus transport.
import type { AuthSource } from "../transport/auth-source.js";
import type { CredentialStore } from "../auth/store/index.js";
import type { Env } from "../config/paths.js";
import { ProviderError } from "../errors.js";
import type { ModelInfo, ModelRequest, ResponseResult } from "../types.js";
import {
  openStream,
  type CallOptions,
  type EventMapper,
  type MapperContext,
  type ResponseStream,
  type TransportOptions,
} from "../transport/response-stream.js";

/** What a provider factory gets from createProvider. */
export interface ProviderContext {
  env: Env;
  home: string;
  profile: string;
  /** The credential store, loaded on first use (it costs ~20 ms to import). */
  store(): Promise<CredentialStore>;
  options: {
    apiKey?: string;
    baseUrl?: string;
    model?: string;
    headers?: Record<string, string>;
  };
  transport: TransportOptions;
}

export interface ProviderSpec {
  id: string;
  /** Shown wherever users meet the provider (ChatGPT backend has no stability contract). */
  experimental: boolean;
  defaultModel?: string;
  url: string;
  auth: AuthSource;
  headers: Record<string, string>;
  buildBody(request: ModelRequest, model: string): Record<string, unknown>;
  /** Apply the endpoint's rules to a Responses-shaped body from another client (local server pass-through). */
  prepareBody?(body: Record<string, unknown>): Record<string, unknown>;
  /** Headers that follow from one request's body (e.g. the session id matching its `prompt_cache_key`). */
  headersForBody?(body: Record<string, unknown>): Record<string, string> | undefined;
  createMapper(context: MapperContext): EventMapper;
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
}

export interface Provider {
  readonly id: string;
  readonly experimental: boolean;
  readonly auth: AuthSource;
  // Every call takes its AbortSignal (and per-call headers) in the options argument.
  /** Start a streaming call: iterate typed events, or await `result()`. */
  stream(request: ModelRequest, options?: CallOptions): ResponseStream;
  /** Stream a Responses-shaped wire body as given (after the provider's policy); for pass-through. */
  streamBody(body: Record<string, unknown>, options?: CallOptions): ResponseStream;
  /** Run a call to completion and return the final result. */
  complete(request: ModelRequest, options?: Omit<CallOptions, "rawEvents" | "decode">): Promise<ResponseResult>;
  listModels(options?: Pick<CallOptions, "signal">): Promise<ModelInfo[]>;
}

export function providerFromSpec(spec: ProviderSpec, transport: TransportOptions = {}): Provider {
  const endpoint = { url: spec.url, auth: spec.auth, headers: spec.headers, createMapper: spec.createMapper };
  return {
    id: spec.id,
    experimental: spec.experimental,
    auth: spec.auth,
    stream(request, options) {
      const model = request.model ?? spec.defaultModel;
      if (!model) throw new ProviderError("config_error", `No model given for provider "${spec.id}". Pass --model or set model in config.`);
      const body = spec.buildBody(request, model);
      return openStream(endpoint, body, transport, withBodyHeaders(options, spec.headersForBody?.(body)));
    },
    streamBody(body, options) {
      if (!spec.prepareBody) throw new ProviderError("config_error", `Provider "${spec.id}" cannot forward Responses request bodies.`);
      const prepared = spec.prepareBody(body);
      return openStream(endpoint, prepared, transport, withBodyHeaders(options, spec.headersForBody?.(prepared)));
    },
    async complete(request, options) {
      // async, so request-building errors reject instead of throwing synchronously.
      return this.stream(request, options).result();
    },
    listModels(options) {
      return spec.listModels(options?.signal);
    },
  };
}

/** The call's own headers win over those derived from the body: the caller said so for this call. */
function withBodyHeaders(options: CallOptions = {}, fromBody: Record<string, string> | undefined): CallOptions {
  return fromBody ? { ...options, headers: { ...fromBody, ...options.headers } } : options;
}

/** Joins a base URL and a path without doubling or dropping slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
