import { randomBytes } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { clearRegisteredSecrets, fingerprint, MAX_REGISTERED_CHARS, MAX_REGISTERED_SECRETS, maskEmail, redact, registerSecret } from "#src/redact.js";
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

test("fragments of 16 or more characters of a registered secret are masked, shorter ones are not", () => {
  clearRegisteredSecrets();
  const key = "sk-proj-Q9vX2mLr7TcW4bYh8NdKp3FsJ6gZaE1uRoVyC5iBxH0qMwUe";
  registerSecret(key);
  const tail = key.slice(-29);
  assert.equal(redact(`Incorrect API key provided: ****${tail}.`), "Incorrect API key provided: ****[REDACTED].");
  assert.equal(redact(`{"message":"key ends in ${tail}"}`), '{"message":"key ends in [REDACTED]"}');
  assert.equal(redact(`a ${key.slice(20, 36)} b`), "a [REDACTED] b", "16 characters from the middle");
  assert.equal(redact(`a ${key.slice(20, 35)} b`), `a ${key.slice(20, 35)} b`, "15 characters are not a fragment");
  // Two fragments around an edit, and a fragment glued to other text of the same alphabet.
  assert.equal(redact(`${key.slice(8, 30)}#${key.slice(31)}`), "[REDACTED]#[REDACTED]");
  assert.equal(redact(`zz${key.slice(10, 40)}zz`), "zz[REDACTED]zz");
  assert.equal(redact(`key=${key}`), "key=[REDACTED]");
  // Rotated tokens share long stretches; each is still masked whole.
  const shared = "opaque-header-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.";
  const [first, second] = [`${shared}firstTokenBody0123456789`, `${shared}secondTokenBody9876543210`];
  registerSecret(first);
  registerSecret(second);
  assert.equal(redact(`(${first}) (${second})`), "([REDACTED]) ([REDACTED])");
});

test("fragments are found in a 1 MB text in one pass", () => {
  clearRegisteredSecrets();
  const secret = "opaqueSecretValue-0123456789abcdefghijklmnopqrstuvwxyz";
  registerSecret(secret);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let filler = "";
  for (let i = 0; filler.length < 1024 * 1024; i++) filler += alphabet[(i * 7919) % alphabet.length];
  const text = `${filler}${secret.slice(5, 25)}${filler}`;
  const out = redact(text);
  assert.ok(!out.includes(secret.slice(5, 25)));
  assert.equal(out.length, text.length - 20 + "[REDACTED]".length);
});

test("the registry is bounded: the least recently registered secrets are forgotten first", () => {
  clearRegisteredSecrets();
  // Unrelated values: a fragment shared with a kept secret would still be masked.
  const secrets = Array.from({ length: MAX_REGISTERED_SECRETS + 10 }, () => randomBytes(24).toString("base64url"));
  registerSecret(secrets[0]);
  for (const secret of secrets.slice(1)) {
    registerSecret(secret);
    registerSecret(secrets[0]); // still in use: registered again on each load
  }
  assert.equal(redact(secrets[0]), "[REDACTED]", "a secret in use stays");
  for (const secret of secrets.slice(1, 11)) assert.equal(redact(secret), secret, "the oldest rotated ones are forgotten");
  for (const secret of secrets.slice(-(MAX_REGISTERED_SECRETS - 1))) assert.equal(redact(secret), "[REDACTED]");

  clearRegisteredSecrets();
  const long = Array.from({ length: 40 }, () => randomBytes(6 * 1024).toString("base64url"));
  for (const secret of long) registerSecret(secret);
  const kept = long.filter((secret) => redact(secret) === "[REDACTED]");
  assert.ok(kept.length * long[0].length <= MAX_REGISTERED_CHARS, `${kept.length} long secrets kept`);
  assert.ok(kept.includes(long.at(-1)!));
});
