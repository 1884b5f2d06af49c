// The Sign in with ChatGPT browser login (docs/protocol.md#siwc-registration to
// docs/protocol.md#siwc-callback), end to end: host id, discovery, loopback listener, authorize URL,
// callback, code exchange, ID-token validation, then one store write. Nothing is written before every check
// passed, so a timeout, Ctrl-C or failed check leaves the previous credential untouched.
import type { NoticeHandler } from "../../notice.js";
import type { Env } from "../../config/paths.js";
import { isProviderError, ProviderError } from "../../errors.js";
import { emptyProfile, type OAuthCredential, type ProfileData } from "../credential.js";
import { startCallbackServer, type CallbackResult } from "../login/callback-server.js";
import { createPkce, randomToken } from "../login/pkce.js";
import { discover } from "../oauth/discovery.js";
import { validateIdToken } from "../oauth/id-token.js";
import { CredentialStore, readOrCreateHostId } from "../store/index.js";
import { buildAuthorizeUrl } from "./authorize.js";
import { APP_NAME, DYNAMIC_CLIENT_ID, PROVIDER_ID, redirectUri, siwcIssuer } from "./constants.js";
import { exchangeCode, expiresAt, grantedScopes } from "./tokens.js";

export interface SiwcLoginOptions {
  env: Env;
  home: string;
  profile: string;
  /** Callback ports, tried in order (0 = any free port). */
  ports: number[];
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Show the authorize URL to the user (open a browser, print it). Called once the listener is up. */
  present(url: string, port: number): Promise<void> | void;
  /** Told when a corrupt credential file was moved aside. */
  onRecovered?(backupPath: string): void;
  /** Told (a `warning` notice) when a too-open mode on the credential store was tightened. */
  onNotice?: NoticeHandler;
}

export interface SiwcLoginResult {
  credential: OAuthCredential;
  /** A new client was registered (first sign-in for this profile). */
  registered: boolean;
}

/** The client to sign in with: this profile's current one, else the last one it registered. */
function savedClient(data: ProfileData): { clientId: string; subject?: string } | undefined {
  const current = data.credentials[PROVIDER_ID];
  if (current?.type === "oauth") return { clientId: current.clientId, subject: current.subject };
  const entries = Object.entries(data.siwcClients ?? {});
  const last = entries[entries.length - 1];
  return last ? { clientId: last[1], subject: last[0] } : undefined;
}

export async function loginWithChatGpt(options: SiwcLoginOptions): Promise<SiwcLoginResult> {
  const issuer = siwcIssuer(options.env);
  const store = new CredentialStore({ home: options.home, onNotice: options.onNotice });
  // docs/protocol.md#siwc-registration: the host id exists before the first sign-in and never changes.
  const hostId = await readOrCreateHostId(options.home);
  const data = await store.read(options.profile).catch((error: unknown) => {
    // A corrupt file is replaced (and kept aside) by the write below.
    if (isProviderError(error, "credential_store_error")) return emptyProfile();
    throw error;
  });
  const saved = savedClient(data);
  const current = data.credentials[PROVIDER_ID];
  const discovery = await discover(issuer, options.signal);

  const pkce = createPkce();
  const state = randomToken();
  const nonce = randomToken();
  const server = await startCallbackServer({
    ports: options.ports,
    expectedState: state,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    appName: APP_NAME,
  });
  const redirect = redirectUri(server.port);
  let callback: CallbackResult;
  try {
    const url = buildAuthorizeUrl({
      issuer,
      clientId: saved?.clientId,
      appName: APP_NAME,
      hostId,
      redirectUri: redirect,
      state,
      nonce,
      codeChallenge: pkce.challenge,
      // docs/protocol.md#siwc-authorize: re-request a scope the user declined last time.
      reconsent: current?.type === "oauth" && current.planUsageEnabled === false,
    });
    await options.present(url, server.port);
    callback = await server.wait();
  } finally {
    await server.close();
  }

  const clientId = issuedClientId(callback.params, saved?.clientId);
  const tokens = await exchangeCode({ issuer, clientId, code: callback.code, verifier: pkce.verifier, redirectUri: redirect, signal: options.signal });
  const claims = await validateIdToken(tokens.idToken!, {
    issuer: discovery.issuer,
    jwksUri: discovery.jwksUri,
    audience: clientId,
    nonce,
    algorithms: discovery.idTokenAlgorithms,
  });
  const subject = claims.sub!;
  if (saved?.subject && saved.subject !== subject) {
    throw new ProviderError("login_failed", "You signed in with a different ChatGPT account than the one this profile belongs to; nothing was changed.", {
      hint: "Pick the same account in the browser, or use another profile for the other account (--profile NAME).",
    });
  }
  // Plan permission comes only from the scopes the token response grants (SIWC sign-in
  // guide, docs/protocol.md#siwc-callback), never from what we asked for or what the callback echoes: a response
  // without `scope` grants nothing we can rely on.
  const scopes = (tokens.scope ?? "").split(" ").filter(Boolean);
  const credential: OAuthCredential = {
    type: "oauth",
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken!,
    idToken: tokens.idToken,
    expiresAt: expiresAt(tokens),
    clientId,
    issuer: discovery.issuer,
    subject,
    email: typeof claims.email === "string" ? claims.email : undefined,
    ...grantedScopes(scopes),
    lastRefresh: new Date().toISOString(),
  };
  options.signal?.throwIfAborted();
  await store.modify(
    options.profile,
    (profile) => {
      profile.credentials[PROVIDER_ID] = credential;
      profile.siwcClients = { ...profile.siwcClients, [subject]: clientId };
    },
    { recoverCorrupt: true, onRecovered: options.onRecovered },
  );
  return { credential, registered: saved === undefined };
}

/**
 * docs/protocol.md#siwc-registration and docs/protocol.md#siwc-callback: a new registration must return the
 * issued id; a returning one must not change it.
 */
function issuedClientId(params: URLSearchParams, saved: string | undefined): string {
  const returned = params.get("client_id") ?? undefined;
  if (saved) {
    if (returned !== undefined && returned !== saved) {
      throw new ProviderError("login_failed", "The sign-in server returned a different client id than this profile's registered one; nothing was changed.");
    }
    return saved;
  }
  if (!returned || returned === DYNAMIC_CLIENT_ID) {
    throw new ProviderError("login_failed", "The app registration is incomplete: the sign-in redirect carried no issued client id.", {
      hint: "Run the login again.",
    });
  }
  return returned;
}

