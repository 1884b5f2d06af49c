// The emulator's RS256 signing key, its JWKS, and JWT signing/verification.
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
} from "jose";

export class SigningKeys {
  private forger?: Promise<CryptoKey>;

  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    private readonly kid: string,
    private readonly jwkSet: JSONWebKeySet,
  ) {}

  static async create(): Promise<SigningKeys> {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return new SigningKeys(privateKey, publicKey, kid, { keys: [{ ...jwk, kid, alg: "RS256", use: "sig" }] });
  }

  jwks(): JSONWebKeySet {
    return this.jwkSet;
  }

  /**
   * Sign `claims` (which carry their own iat/exp). `forged` signs with an unrelated key
   * under the published `kid`, so only a real signature check notices.
   */
  async sign(claims: JWTPayload, forged = false): Promise<string> {
    const key = forged ? await this.forgeryKey() : this.privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: this.kid, typ: "JWT" }).sign(key);
  }

  /** Verify signature, `iss` and time claims; throws jose errors (e.g. `JWTExpired`). */
  async verify(token: string, issuer: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.publicKey, { algorithms: ["RS256"], issuer });
    return payload;
  }

  private forgeryKey(): Promise<CryptoKey> {
    // Generated only when a test asks for a bad signature: RSA generation is slow.
    this.forger ??= generateKeyPair("RS256").then((pair) => pair.privateKey);
    return this.forger;
  }
}
