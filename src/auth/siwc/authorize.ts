// The SIWC authorization request URL (docs/protocol.md#siwc-authorize).
import { authorizeEndpoint, DYNAMIC_CLIENT_ID, SIWC_RESOURCE, SIWC_SCOPES } from "./constants.js";

export interface AuthorizeParams {
  issuer: string;
  /** The saved issued client id; undefined registers a new client. */
  clientId?: string;
  appName: string;
  hostId: string;
  redirectUri: string;
  state: string;
  nonce: string;
  codeChallenge: string;
  /** Ask for consent again, e.g. to re-request a scope that was declined. */
  reconsent?: boolean;
}

export function buildAuthorizeUrl(params: AuthorizeParams): string {
  const url = new URL(authorizeEndpoint(params.issuer));
  const query: Record<string, string | undefined> = {
    client_id: params.clientId ?? DYNAMIC_CLIENT_ID,
    agent_name_hint: params.clientId ? undefined : params.appName,
    ext_agent_host_id: params.hostId,
    response_type: "code",
    redirect_uri: params.redirectUri,
    scope: SIWC_SCOPES.join(" "),
    resource: SIWC_RESOURCE,
    state: params.state,
    nonce: params.nonce,
    code_challenge_method: "S256",
    code_challenge: params.codeChallenge,
    prompt: params.reconsent ? "consent" : undefined,
  };
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}
