import assert from "node:assert/strict";
import { chmod, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { isProviderError, type ProviderError } from "#src/errors.js";
import { clearRegisteredSecrets, redact } from "#src/redact.js";
import { CredentialStore } from "#src/auth/store/index.js";
import type { ProfileData } from "#src/auth/credential.js";
import { COUNTER_KEY, increment, readCount } from "./fixtures/profiles.js";
import { exited, startWorker } from "./helpers.js";
import { withHome } from "../../support/home.js";

const mode = async (path: string) => (await stat(path)).mode & 0o777;

/** Write raw text as the profile file, creating the directory. */
async function plant(store: CredentialStore, text: string, profile = "default"): Promise<string> {
  const file = store.filePath(profile);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

function leaksNothing(error: ProviderError, secrets: string[]): void {
  const text = [error.message, error.hint ?? "", error.stack ?? "", JSON.stringify(error)].join("\n");
  for (const secret of secrets) assert.ok(!text.includes(secret), "a token value leaked into the error");
}

test("a missing profile reads as empty and a no-op modify creates no file", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    assert.deepEqual(await store.read("default"), { version: 1, credentials: {} });
    assert.equal(await store.modify("default", () => "result"), "result");
    assert.deepEqual(await store.listProfiles(), []);
    await assert.rejects(stat(store.filePath("default")), { code: "ENOENT" });
  }));

test("files are 0600 in a 0700 directory, with no temp or lock files left", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    for (let i = 0; i < 5; i++) await store.modify("default", increment);
    const dir = dirname(store.filePath("default"));
    assert.equal(await mode(store.filePath("default")), 0o600);
    assert.equal(await mode(dir), 0o700);
    assert.deepEqual(await readdir(dir), ["default.json"]);
    assert.equal(readCount(await store.read("default")), 5);
  }));

test("reading a group/world-readable file tightens it to 0600", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    await store.modify("default", increment);
    await chmod(store.filePath("default"), 0o644);
    assert.equal(readCount(await store.read("default")), 1);
    assert.equal(await mode(store.filePath("default")), 0o600);
  }));

test("200 concurrent in-process modifies lose no update", () =>
  withHome(async (home) => {
    // Two instances: serialization must not depend on sharing one object.
    const stores = [new CredentialStore({ home }), new CredentialStore({ home })];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => stores[i % 2].modify("default", increment)),
    );
    assert.deepEqual([...results].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
    assert.equal(readCount(await stores[0].read("default")), 200);
  }));

test("4 processes x 50 modifies lose no update", () =>
  withHome(async (home) => {
    const workers = Array.from({ length: 4 }, () => startWorker("increment", home, "50"));
    assert.deepEqual(await Promise.all(workers.map(exited)), [0, 0, 0, 0]);
    const store = new CredentialStore({ home });
    assert.equal(readCount(await store.read("default")), 200);
  }));

test("fn throwing writes nothing", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    await store.modify("default", increment);
    const file = store.filePath("default");
    const before = await stat(file);
    const bytes = await readFile(file);
    await assert.rejects(
      store.modify("default", (data) => {
        increment(data);
        throw new Error("caller failed");
      }),
      /caller failed/,
    );
    const after = await stat(file);
    assert.deepEqual(await readFile(file), bytes);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
  }));

test("unchanged data is not rewritten", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    await store.modify("default", increment);
    const file = store.filePath("default");
    const before = await stat(file);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const count = await store.modify("default", (data) => {
      // Rewriting a field with its own value is not a change.
      data.credentials.openai = { ...data.credentials.openai! };
      return readCount(data);
    });
    assert.equal(count, 1);
    const after = await stat(file);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
  }));

test("unknown fields survive a rewrite", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    const planted = {
      version: 1,
      credentials: { openai: { type: "api-key", key: COUNTER_KEY, savedAt: "t", future: { a: 1 } } },
      siwcClients: { "user-1": "oaiapp_1" },
      futureTopLevel: [1, 2],
    };
    await plant(store, JSON.stringify(planted));
    await store.modify("default", (data) => {
      data.credentials.other = { type: "access-token", token: "at-0123456789abcdef", savedAt: "t" };
    });
    const saved = JSON.parse(await readFile(store.filePath("default"), "utf8"));
    assert.deepEqual(saved.credentials.openai, planted.credentials.openai);
    assert.deepEqual(saved.futureTopLevel, [1, 2]);
    assert.deepEqual(saved.siwcClients, planted.siwcClients);
  }));

test("secrets read from the file are registered with the redactor", () =>
  withHome(async (home) => {
    clearRegisteredSecrets();
    const store = new CredentialStore({ home });
    const secrets = ["opaque-access-value-1", "opaque-refresh-value-2", "opaque-id-value-3", "opaque-key-value-4", "opaque-at-value-5"];
    const profile: ProfileData = {
      version: 1,
      credentials: {
        chatgpt: {
          type: "oauth",
          accessToken: secrets[0],
          refreshToken: secrets[1],
          idToken: secrets[2],
          clientId: "oaiapp_client",
          lastRefresh: "2024-01-01T00:00:00Z",
        },
        openai: { type: "api-key", key: secrets[3], savedAt: "2024-01-01T00:00:00Z" },
        "chatgpt-codex": { type: "access-token", token: secrets[4], savedAt: "2024-01-01T00:00:00Z" },
      },
    };
    await plant(store, JSON.stringify(profile));
    await store.read("default");
    for (const secret of secrets) assert.equal(redact(`x ${secret} y`), "x [REDACTED] y");
    assert.equal(redact("oaiapp_client"), "oaiapp_client");
  }));

const corruptCases: Array<[string, string, RegExp]> = [
  ["truncated JSON", `{"version":1,"credentials":{"openai":{"type":"api-key","key":"opaque-secret-value-123`, /is not valid JSON/],
  ["an empty file", "", /is empty/],
  ["a wrong version", `{"version":2,"credentials":{}}`, /version 2, written by a newer codex-provider/],
  [
    "a missing required field",
    `{"version":1,"credentials":{"chatgpt":{"type":"oauth","accessToken":"opaque-secret-value-123","refreshToken":"opaque-secret-value-456","lastRefresh":"t"}}}`,
    /credentials\["chatgpt"\]\.clientId is missing/,
  ],
  ["a mistyped field", `{"version":1,"credentials":{"openai":{"type":"api-key","key":["opaque-secret-value-123"],"savedAt":"t"}}}`, /\.key is not a string/],
  ["an unknown credential type", `{"version":1,"credentials":{"openai":{"type":"toString","key":"opaque-secret-value-123"}}}`, /\.type is not one of/],
  // A token where the shape is wrong must not reach the message either (zod's own
  // messages may describe the received value; the store's never do).
  ["a token as the version", `{"version":"opaque-secret-value-123","credentials":{}}`, /has no supported version/],
  ["a token as the credential type", `{"version":1,"credentials":{"openai":{"type":"opaque-secret-value-123","key":"k"}}}`, /\.type is not one of/],
  ["a token as the credential", `{"version":1,"credentials":{"openai":"opaque-secret-value-123"}}`, /credentials\["openai"\] is not an object/],
  [
    "a token as the refresh failure",
    `{"version":1,"credentials":{"chatgpt":{"type":"oauth","accessToken":"a","refreshToken":"r","clientId":"c","lastRefresh":"t","refreshFailure":"opaque-secret-value-456"}}}`,
    /credentials\["chatgpt"\]\.refreshFailure is not an object/,
  ],
  ["a token in a list", `{"version":1,"credentials":{"chatgpt":{"type":"oauth","accessToken":"a","refreshToken":"r","clientId":"c","lastRefresh":"t","scopes":[7,"opaque-secret-value-123"]}}}`, /\.scopes\[0\] is not a string/],
  ["a mistyped SIWC client", `{"version":1,"credentials":{},"siwcClients":{"user-1":["opaque-secret-value-123"]}}`, /siwcClients\["user-1"\] is not a string/],
  ["a mistyped number", `{"version":1,"credentials":{"chatgpt-codex":{"type":"access-token","token":"opaque-secret-value-123","savedAt":"t","expiresAt":"soon"}}}`, /credentials\["chatgpt-codex"\]\.expiresAt is not a number/],
  ["a mistyped boolean", `{"version":1,"credentials":{"chatgpt":{"type":"oauth","accessToken":"a","refreshToken":"r","clientId":"c","lastRefresh":"t","planUsageEnabled":"yes"}}}`, /\.planUsageEnabled is not a boolean/],
  ["a refresh failure without its code", `{"version":1,"credentials":{"chatgpt":{"type":"oauth","accessToken":"a","refreshToken":"r","clientId":"c","lastRefresh":"t","refreshFailure":{"message":"m","at":"t"}}}}`, /\.refreshFailure\.code is missing/],
  ["a null credential", `{"version":1,"credentials":{"openai":null}}`, /credentials\["openai"\] is not an object/],
  ["SIWC clients that are not a map", `{"version":1,"credentials":{},"siwcClients":["opaque-secret-value-123"]}`, /has a siwcClients field that is not an object/],
  ["a missing credentials map", `{"version":1,"siwcClients":{}}`, /has no credentials object/],
  ["an array for a profile", `["opaque-secret-value-123"]`, /is not a JSON object/],
];

for (const [name, text, problem] of corruptCases) {
  test(`a file with ${name} makes read and modify throw and stays byte-identical`, () =>
    withHome(async (home) => {
      clearRegisteredSecrets();
      const store = new CredentialStore({ home });
      const file = await plant(store, text);
      const check = (error: unknown) => {
        assert.ok(isProviderError(error, "credential_store_error"));
        assert.ok(error.message.includes(file), "the message names the file");
        assert.match(error.message, problem);
        assert.match(error.hint ?? "", /sign in again/);
        leaksNothing(error, ["opaque-secret-value-123", "opaque-secret-value-456"]);
        return true;
      };
      await assert.rejects(store.read("default"), check);
      await assert.rejects(store.modify("default", increment), check);
      assert.equal(await readFile(file, "utf8"), text);
      assert.deepEqual(await readdir(dirname(file)), ["default.json"]);
    }));
}

test("recoverCorrupt keeps a 0600 .corrupt copy and starts from an empty profile", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    const text = `{"version":1,"credentials":`;
    const file = await plant(store, text);
    await chmod(file, 0o644);
    const recovered: string[] = [];
    const count = await store.modify("default", increment, {
      recoverCorrupt: true,
      onRecovered: (backup) => recovered.push(backup),
    });
    assert.equal(count, 1);
    assert.equal(recovered.length, 1);
    assert.match(recovered[0], /default\.json\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    assert.equal(await readFile(recovered[0], "utf8"), text);
    assert.equal(await mode(recovered[0]), 0o600);
    assert.equal(readCount(await store.read("default")), 1);
  }));

test("recoverCorrupt with a throwing fn leaves the corrupt file in place", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    const file = await plant(store, "garbage");
    await assert.rejects(
      store.modify("default", () => {
        throw new Error("login failed");
      }, { recoverCorrupt: true }),
      /login failed/,
    );
    assert.deepEqual(await readdir(dirname(file)), ["default.json"]);
    assert.equal(await readFile(file, "utf8"), "garbage");
  }));

test("an invalid profile produced by fn is not written", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    await assert.rejects(
      store.modify("default", (data) => {
        (data.credentials as Record<string, unknown>).openai = { type: "api-key", key: "opaque-secret-value-789" };
      }),
      (error) => {
        assert.ok(isProviderError(error, "credential_store_error"));
        assert.match(error.message, /refusing to write .*savedAt is missing/);
        leaksNothing(error, ["opaque-secret-value-789"]);
        return true;
      },
    );
    await assert.rejects(stat(store.filePath("default")), { code: "ENOENT" });
  }));

test("invalid profile names are rejected", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    for (const name of ["", ".hidden", "..", "../escape", "a/b", "a\\b", "a b", "naïve", "x".repeat(65), "a\0b"]) {
      assert.throws(() => store.filePath(name), (error) => isProviderError(error, "config_error"), name);
      await assert.rejects(store.read(name), (error) => isProviderError(error, "config_error"));
      await assert.rejects(store.modify(name, increment), (error) => isProviderError(error, "config_error"));
    }
    for (const name of ["default", "work.2", "A_b-c", "-x", "x".repeat(64)]) store.filePath(name);
  }));

test("listProfiles lists profile files only", () =>
  withHome(async (home) => {
    const store = new CredentialStore({ home });
    await store.modify("work", increment);
    await store.modify("default", increment);
    await plant(store, "x", "broken");
    const dir = dirname(store.filePath("default"));
    await writeFile(join(dir, "default.json.corrupt-2024"), "x");
    await writeFile(join(dir, ".default.json.abc.tmp"), "x");
    await mkdir(join(dir, "work.json.lock"));
    assert.deepEqual(await store.listProfiles(), ["broken", "default", "work"]);
  }));
