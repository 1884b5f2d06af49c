import { test } from "node:test";
import assert from "node:assert/strict";
import { fingerprint, maskEmail, redact, registerSecret } from "#src/redact.js";
import { ProviderError } from "#src/errors.js";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTc2NzIyNTYwMH0.c2lnbmF0dXJlLWJ5dGVz";

test("patterns mask JWTs, sk- keys, bearer headers, token fields and OAuth query params", () => {
  const text = [
    `Authorization: Bearer ${JWT}`,
    "key sk-proj-abcdefghijklmnop1234",
    '{"refresh_token":"rt_abcdefghijklmnopqrstuvwxyz","code":"usage_limit_reached"}',
    "grant_type=refresh_token&refresh_token=opaque-value-1234",
    "http://127.0.0.1:1455/auth/callback?code=ac_secret123&state=st_secret456",
    "chatgpt-account-id: acct-987",
  ].join("\n");
  const out = redact(text);
  for (const secret of [JWT, "sk-proj-abcdefghijklmnop1234", "rt_abcdefghijklmnopqrstuvwxyz", "opaque-value-1234", "ac_secret123", "st_secret456", "acct-987"]) {
    assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  }
  assert.ok(out.includes('"code":"usage_limit_reached"'), "error codes in JSON survive");
});

test("registered secrets are masked even when no pattern matches", () => {
  registerSecret("plainopaquevalue42");
  assert.equal(redact("token is plainopaquevalue42!"), "token is [REDACTED]!");
  const error = new ProviderError("server_error", "upstream said plainopaquevalue42");
  assert.ok(!error.message.includes("plainopaquevalue42"));
  assert.ok(!JSON.stringify(error).includes("plainopaquevalue42"));
  assert.ok(!String(error.stack).includes("plainopaquevalue42"));
});

test("fingerprints and masked emails are stable and non-revealing", () => {
  assert.equal(fingerprint("abc"), fingerprint("abc"));
  assert.match(fingerprint("sk-secret"), /^sha256:[0-9a-f]{8}$/);
  assert.equal(maskEmail("ada@example.com"), "ad***@example.com");
});
