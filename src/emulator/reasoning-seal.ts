// `encrypted_content` for reasoning items. The real blob is opaque and bound to the
// account (and model) that produced it; replaying it elsewhere fails with
// `invalid_encrypted_content` (docs/protocol.md#codex-errors). Here it is an HMAC-signed note naming the
// principal, so the emulator can tell its own blobs for this caller from anything else.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export class ReasoningSeal {
  private readonly key = randomBytes(32);

  seal(principal: string, itemId: string): string {
    const payload = Buffer.from(JSON.stringify({ p: principal, i: itemId })).toString("base64url");
    return `${payload}.${this.sign(payload)}`;
  }

  /** True when `blob` was sealed by this emulator for `principal`. */
  verify(blob: string, principal: string): boolean {
    const [payload, signature, extra] = blob.split(".");
    if (!payload || !signature || extra !== undefined) return false;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    try {
      return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).p === principal;
    } catch {
      return false;
    }
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }
}
