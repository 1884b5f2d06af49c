// In-process emulation of auth.openai.com, mounted by the emulator's HTTP server under "/auth". An
// independent reading of docs/protocol.md#sign-in-with-chatgpt, docs/protocol.md#codex-oauth-client to
// docs/protocol.md#codex-access-tokens, docs/protocol.md#login-errors and
// docs/protocol.md#error-classification.
import type { ServerResponse } from "node:http";
import { codexRoutes } from "./codex-oauth.js";
import type { AuthContext, AuthSettings, Route } from "./context.js";
import { randomToken } from "./crypto-util.js";
import { deviceFlow } from "./device.js";
import { GrantStore } from "./grants.js";
import { HttpError } from "./http-util.js";
import { SigningKeys } from "./keys.js";
import { PersonalTokens } from "./personal-tokens.js";
import { siwcRoutes } from "./siwc.js";
import type { AuthControls, AuthEmulator, AuthEmulatorOptions, AuthStats, EmulatedUser } from "./types.js";
import { verifyAccessToken } from "./verify.js";

export type {
  AuthControls,
  AuthEmulator,
  AuthEmulatorOptions,
  AuthStats,
  EmulatedUser,
  IdTokenFault,
  TokenCheck,
} from "./types.js";

// Stable, realistic-looking defaults. Subject and user id differ on purpose so a client
// that confuses `sub` with `chatgpt_user_id` is caught.
const DEFAULT_USER: EmulatedUser = {
  subject: "user-Sb7QmT2xKp9LcW4eRz1NfVhD",
  email: "ada@example.com",
  accountId: "0f6c9b2e-3d47-4a8e-b1c5-7e92d4a6f803",
  userId: "user-Ua3JdN8vYq5GtB6sXk0PwMcE",
  planType: "plus",
};

function resolveSettings(options: AuthEmulatorOptions): AuthSettings {
  return {
    siwcAccessTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    codexAccessTtlSeconds: options.accessTokenTtlSeconds ?? 864_000,
    codexRedirectPorts: options.codexRedirectPorts ?? [1455, 1457],
    deviceCodeEnabled: options.deviceCodeEnabled ?? true,
    devicePollIntervalSeconds: options.devicePollIntervalSeconds ?? 5,
    deviceCodeTtlSeconds: options.deviceCodeTtlSeconds ?? 900,
  };
}

function sendError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const isText = typeof error.body === "string";
  const text = isText ? (error.body as string) : JSON.stringify(error.body);
  res.writeHead(error.status, {
    "content-type": isText ? "text/plain; charset=utf-8" : "application/json",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    ...error.headers,
  });
  res.end(text);
}

export async function createAuthEmulator(options: AuthEmulatorOptions): Promise<AuthEmulator> {
  const overrides = Object.fromEntries(Object.entries(options.user ?? {}).filter(([, v]) => v !== undefined));
  const stats: AuthStats = {
    authorizeRequests: 0,
    tokenExchanges: 0,
    refreshes: 0,
    refreshReuseDetected: 0,
    revocations: 0,
    deviceCodesIssued: 0,
    devicePolls: 0,
  };
  const controls: AuthControls = { authorize: "approve", idTokenFault: null };
  const ctx: AuthContext = {
    issuer: options.issuer,
    user: { ...DEFAULT_USER, ...overrides },
    settings: resolveSettings(options),
    keys: await SigningKeys.create(),
    grants: new GrantStore(),
    stats,
    controls,
    perUserSalt: randomToken(16),
    organizationId: "org-Emu1atorPers0na1Org0A9x",
    now: options.now ?? Date.now,
  };
  const personal = new PersonalTokens(ctx);
  const device = deviceFlow(ctx);
  const routes = new Map<string, Route[]>();
  for (const route of [...siwcRoutes(ctx), ...codexRoutes(ctx), ...device.routes, personal.whoamiRoute()]) {
    routes.set(route.path, [...(routes.get(route.path) ?? []), route]);
  }

  return {
    async handle(req, res, path, url) {
      const candidates = routes.get(path);
      if (!candidates) return false;
      try {
        const route = candidates.find((r) => r.method === req.method);
        if (!route) {
          const allow = candidates.map((r) => r.method).join(", ");
          throw new HttpError(405, { error: "method_not_allowed", error_description: `use ${allow}` }, { allow });
        }
        await route.handler(req, res, url);
      } catch (error) {
        sendError(res, error instanceof HttpError ? error : new HttpError(500, { error: "server_error", error_description: String(error) }));
      }
      return true;
    },
    verifyAccessToken: (token) => verifyAccessToken(ctx, personal, token),
    user: ctx.user,
    stats,
    // Handlers read and reset fields on this very object, so assigning to its fields works.
    get controls() {
      return controls;
    },
    set controls(value) {
      Object.assign(controls, { grantedScopes: undefined, idTokenFault: null, failNextTokenRequests: undefined, omitTokenScope: undefined }, value);
    },
    resolveDeviceCode: (userCode, action) => device.resolve(userCode, action),
    mintCodexAccessToken: (mintOptions) => personal.mint(mintOptions),
    revokeAll: () => ctx.grants.revokeAll(),
    expireAccessTokens: () => ctx.grants.expireAccessTokens(),
  };
}
