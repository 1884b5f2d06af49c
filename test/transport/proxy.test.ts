// Proxies: which one a URL takes (the env table and NO_PROXY, as curl and undici read
// them), then real traffic through a real proxy on loopback: absolute-form HTTP in
// process, CONNECT tunnels to the self-signed TLS server from the CLI, Basic auth, 407,
// the `proxy` setting, and every call of a sign-in (discovery, JWKS, token, models,
// inference, revoke) going through it.
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ProviderError } from "#src/errors.js";
import { redact } from "#src/redact.js";
import { bypassesProxy, configureProxy, parseNoProxy, proxyFor, proxySettings } from "#src/transport/proxy.js";
import { cliLogin, siwcEnv, tempHome, useEmulator } from "../support/siwc.js";
import { runCli } from "../support/cli.js";
import { hasOpenssl, responsesStream, selfSignedCert } from "./tls-fixture.js";
import { platformProvider, withEmulator } from "../support/emulator.js";
import { startProxy } from "./proxy-server.js";

describe("which proxy a URL takes", () => {
  it("NO_PROXY: *, exact hosts, domain suffixes with or without the dot, IPs, IPv6 and ports", () => {
    const table: Array<[noProxy: string, url: string, direct: boolean]> = [
      ["", "https://api.openai.com/v1", false],
      ["*", "https://api.openai.com/v1", true],
      ["api.openai.com", "https://api.openai.com/v1", true],
      ["API.OpenAI.com.", "https://api.openai.com/v1", true],
      ["openai.com", "https://api.openai.com/v1", true],
      [".openai.com", "https://api.openai.com/v1", true],
      ["*.openai.com", "https://auth.openai.com", true],
      [".openai.com", "https://openai.com", true],
      ["openai.com", "https://notopenai.com", false],
      ["openai.com", "https://openai.com.evil.example", false],
      ["example.com, chatgpt.com", "https://chatgpt.com/backend-api", true],
      ["example.com chatgpt.com", "https://chatgpt.com/backend-api", true],
      // Loopback is proxied unless listed (curl and undici alike).
      ["", "http://127.0.0.1:8787/v1", false],
      ["localhost", "http://127.0.0.1:8787/v1", false],
      ["127.0.0.1", "http://127.0.0.1:8787/v1", true],
      ["10.0.0.1", "http://10.0.0.10/v1", false],
      ["::1", "http://[::1]:8787/v1", true],
      ["[::1]:8787", "http://[::1]:8787/v1", true],
      ["[::1]:9999", "http://[::1]:8787/v1", false],
      ["api.openai.com:443", "https://api.openai.com/v1", true],
      ["api.openai.com:8443", "https://api.openai.com/v1", false],
      ["localhost:80", "http://localhost/v1", true],
      ["127.0.0.1:8787", "http://127.0.0.1:8787/v1", true],
      ["127.0.0.1:8788", "http://127.0.0.1:8787/v1", false],
      // CIDR blocks cover IP-literal hosts only (reqwest, curl ≥ 7.86); names are not resolved.
      ["10.0.0.0/8", "http://10.1.2.3:8080/v1", true],
      ["10.0.0.0/8", "http://11.0.0.1/v1", false],
      ["example.com, 192.168.0.0/16", "https://192.168.44.7/v1", true],
      ["192.168.1.0/24", "https://192.168.2.1/v1", false],
      ["127.0.0.0/8", "http://localhost:8787/v1", false],
      ["fd00::/8", "http://[fd12::1]:8787/v1", true],
      ["fd00::/8", "http://[fe80::1]/v1", false],
      ["0.0.0.0/0", "https://203.0.113.9/v1", true],
      ["10.0.0.0/33", "http://10.0.0.1/v1", false],
    ];
    for (const [noProxy, url, direct] of table) {
      const { bypassAll, entries, nets } = parseNoProxy(noProxy);
      assert.equal(bypassesProxy(new URL(url), { bypassAll, noProxy: entries, noProxyNets: nets }), direct, `NO_PROXY=${JSON.stringify(noProxy)} ${url}`);
    }
  });

  it("variables: lower case first, https_proxy for https (then all_proxy, then http_proxy), http_proxy for http (then all_proxy); empty is unset", () => {
    const pick = (env: Record<string, string>) => {
      const settings = proxySettings({ env });
      return [settings.https?.origin, settings.http?.origin];
    };
    assert.deepEqual(pick({}), [undefined, undefined]);
    assert.deepEqual(pick({ HTTPS_PROXY: "http://a:1", https_proxy: "http://b:1" }), ["https_proxy", undefined]);
    assert.deepEqual(pick({ HTTPS_PROXY: "http://a:1", https_proxy: "" }), ["HTTPS_PROXY", undefined]);
    assert.deepEqual(pick({ HTTP_PROXY: "http://a:1" }), ["HTTP_PROXY", "HTTP_PROXY"]);
    assert.deepEqual(pick({ ALL_PROXY: "http://a:1", HTTP_PROXY: "http://b:1" }), ["ALL_PROXY", "HTTP_PROXY"]);
    assert.deepEqual(pick({ all_proxy: "http://a:1" }), ["all_proxy", "all_proxy"]);
    assert.deepEqual(pick({ HTTPS_PROXY: "http://a:1", HTTP_PROXY: "http://b:1" }), ["HTTPS_PROXY", "HTTP_PROXY"]);
    // The `proxy` setting replaces the variables; NO_PROXY still applies.
    const set = proxySettings({ proxy: "http://p:3128", proxyOrigin: "--proxy", env: { HTTPS_PROXY: "http://a:1", NO_PROXY: "internal.example" } });
    assert.equal(set.https?.origin, "--proxy");
    assert.equal(set.http?.origin, "--proxy");
    assert.ok(bypassesProxy(new URL("https://x.internal.example"), set));
  });

  it("a scheme-less host:port means http://; SOCKS and garbage fail with config_error naming the variable", () => {
    try {
      configureProxy({ env: { HTTPS_PROXY: "proxy.corp.example:8080", ALL_PROXY: "socks5://127.0.0.1:1080" } });
      assert.equal(proxyFor(new URL("https://api.openai.com/v1"))?.url.href, "http://proxy.corp.example:8080/");
      assert.throws(
        () => proxyFor(new URL("http://plain.example/")),
        (error: ProviderError) => error.code === "config_error" && /ALL_PROXY: .*SOCKS proxies are not supported/.test(error.message),
      );
      assert.throws(() => configureProxy({ proxy: "ftp://x:1", proxyOrigin: "--proxy" }), (error: ProviderError) => error.code === "config_error" && /--proxy/.test(error.message));
    } finally {
      configureProxy({ env: {} });
    }
  });
});

describe("plain HTTP through a proxy (absolute form), in process", () => {
  it("model calls and model lists go to the proxy with the full URL, and Basic credentials", async () => {
    const proxy = await startProxy({ credentials: "alice:pa:ss@word" });
    try {
      await withEmulator({}, async (emu) => {
        configureProxy({ env: { HTTP_PROXY: `http://alice:${encodeURIComponent("pa:ss@word")}@127.0.0.1:${proxy.port}` } });
        const provider = platformProvider(emu);
        const result = await provider.complete({ input: "through the proxy", model: "gpt-5.5" });
        assert.match(result.text, /through the proxy/);
        await provider.listModels();
        const origin = new URL(emu.apiUrl).origin;
        assert.deepEqual(
          proxy.log.map((entry) => entry.line),
          [`POST ${origin}/v1/responses`, `GET ${origin}/v1/models`],
        );
        for (const entry of proxy.log) assert.equal(entry.authorization, `Basic ${Buffer.from("alice:pa:ss@word").toString("base64")}`);
        // The emulator got the request with its own Host, and no proxy credentials.
        const seen = emu.requests.find((r) => r.path === "/v1/responses")!;
        assert.equal(seen.headers["proxy-authorization"], undefined);
        assert.equal(seen.headers.host, new URL(emu.apiUrl).host);
      });
    } finally {
      configureProxy({ env: {} });
      await proxy.close();
    }
  });

  it("a 407 is a proxy_error naming the proxy with its credentials masked and registered with the redactor", async () => {
    const proxy = await startProxy({ credentials: "alice:right-password" });
    try {
      await withEmulator({}, async (emu) => {
        configureProxy({ env: { http_proxy: `http://alice:wrong-password-123@127.0.0.1:${proxy.port}` } });
        await assert.rejects(platformProvider(emu, { retry: { maxRetries: 3 } }).complete({ input: "x", model: "gpt-5.5" }), (error: ProviderError) => {
          assert.equal(error.code, "proxy_error");
          assert.equal(error.status, 407);
          assert.equal(error.retryable, false);
          assert.match(error.message, new RegExp(`proxy http://\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port} \\(from http_proxy\\) requires authentication`));
          assert.ok(!JSON.stringify({ ...error.toJSON(), stack: error.stack }).includes("wrong-password-123"));
          return true;
        });
        assert.equal(proxy.log.length, 1, "a 407 is not retried");
        assert.equal(redact("echo: wrong-password-123"), "echo: [REDACTED]");
        assert.equal(redact(`Basic ${Buffer.from("alice:wrong-password-123").toString("base64")}`), "Basic [REDACTED]");
      });
    } finally {
      configureProxy({ env: {} });
      await proxy.close();
    }
  });

  it("NO_PROXY sends a listed host directly; an unreachable proxy is a network_error that names it", async () => {
    const proxy = await startProxy();
    try {
      await withEmulator({}, async (emu) => {
        configureProxy({ env: { HTTP_PROXY: proxy.url, NO_PROXY: `localhost,127.0.0.1:${new URL(emu.apiUrl).port}` } });
        await platformProvider(emu).complete({ input: "direct", model: "gpt-5.5" });
        assert.deepEqual(proxy.log, []);
        await proxy.close();
        configureProxy({ env: { HTTP_PROXY: proxy.url } });
        await assert.rejects(platformProvider(emu, { retry: { maxRetries: 0 } }).complete({ input: "x", model: "gpt-5.5" }), (error: ProviderError) => {
          assert.equal(error.code, "network_error");
          assert.match(error.message, new RegExp(`Could not reach the proxy http://127\\.0\\.0\\.1:${proxy.port} \\(from HTTP_PROXY\\): ECONNREFUSED`));
          return true;
        });
      });
    } finally {
      configureProxy({ env: {} });
      await proxy.close();
    }
  });
});

const STREAM = responsesStream("resp_px", "through the tunnel");

describe("HTTPS through a CONNECT tunnel (CLI child processes, self-signed TLS server)", { skip: hasOpenssl() ? false : "openssl is not installed" }, () => {
  it("HTTPS_PROXY, Basic auth, 407, NO_PROXY, --proxy and the proxy config key", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cp-proxy-tls-"));
    const { key, cert } = selfSignedCert(dir);
    let served = 0;
    const server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
      served++;
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(STREAM);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const open = await startProxy();
    const guarded = await startProxy({ credentials: "bob:s3cret-pass" });
    const env = {
      CODEX_PROVIDER_HOME: dir,
      CODEX_PROVIDER_API_URL: `https://${target}/v1`,
      OPENAI_API_KEY: "sk-proj-proxytestproxytestproxy",
      CODEX_PROVIDER_MAX_RETRIES: "0",
      NODE_EXTRA_CA_CERTS: cert,
      HTTPS_PROXY: undefined,
      https_proxy: undefined,
      HTTP_PROXY: undefined,
      http_proxy: undefined,
      ALL_PROXY: undefined,
      all_proxy: undefined,
      NO_PROXY: undefined,
      no_proxy: undefined,
    };
    try {
      const tunnelled = await runCli(["ask", "hi"], { env: { ...env, HTTPS_PROXY: open.url } });
      assert.equal(tunnelled.code, 0, tunnelled.stderr);
      assert.equal(tunnelled.stdout.trim(), "through the tunnel");
      assert.deepEqual(open.log.map((e) => e.line), [`CONNECT ${target}`]);

      const authed = await runCli(["ask", "hi"], { env: { ...env, https_proxy: `http://bob:s3cret-pass@127.0.0.1:${guarded.port}` } });
      assert.equal(authed.code, 0, authed.stderr);
      assert.deepEqual(guarded.log.at(-1), { line: `CONNECT ${target}`, authorization: `Basic ${Buffer.from("bob:s3cret-pass").toString("base64")}`, refused: undefined });

      const refused = await runCli(["ask", "hi"], { env: { ...env, HTTPS_PROXY: `http://bob:not-the-password@127.0.0.1:${guarded.port}` } });
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, new RegExp(`proxy http://\\*\\*\\*@127\\.0\\.0\\.1:${guarded.port} \\(from HTTPS_PROXY\\) requires authentication`));
      assert.ok(!(refused.stdout + refused.stderr).includes("not-the-password"));
      assert.equal(guarded.log.at(-1)?.refused, 407);

      const servedBefore = served;
      const direct = await runCli(["ask", "hi"], { env: { ...env, HTTPS_PROXY: open.url, NO_PROXY: "localhost,127.0.0.1" } });
      assert.equal(direct.code, 0, direct.stderr);
      assert.equal(open.log.length, 1, "NO_PROXY bypassed the proxy");
      assert.equal(served, servedBefore + 1);
      // A CIDR block covers the upstream's IP address (as Codex CLI's reqwest reads NO_PROXY).
      const byBlock = await runCli(["ask", "hi"], { env: { ...env, HTTPS_PROXY: open.url, NO_PROXY: "10.0.0.0/8 127.0.0.0/8" } });
      assert.equal(byBlock.code, 0, byBlock.stderr);
      assert.equal(open.log.length, 1, "the CIDR entry bypassed the proxy");
      assert.equal(served, servedBefore + 2);

      // --proxy beats the variables (here a dead one); provenance as for every setting.
      const flagged = await runCli(["ask", "--proxy", open.url, "hi"], { env: { ...env, HTTPS_PROXY: "http://127.0.0.1:9" } });
      assert.equal(flagged.code, 0, flagged.stderr);
      assert.equal(open.log.length, 2);

      await writeFile(join(dir, "config.toml"), `proxy = "http://bob:s3cret-pass@127.0.0.1:${guarded.port}"\n`, { mode: 0o600 });
      const configured = await runCli(["ask", "hi"], { env });
      assert.equal(configured.code, 0, configured.stderr);
      assert.equal(guarded.log.at(-1)?.refused, undefined);
      const shown = await runCli(["config", "show", "--json"], { env });
      const setting = JSON.parse(shown.stdout).settings.proxy;
      assert.equal(setting.source, "config");
      assert.equal(setting.value, `http://***@127.0.0.1:${guarded.port}/`);
      assert.ok(!shown.stdout.includes("s3cret-pass"));
    } finally {
      server.close();
      await open.close();
      await guarded.close();
    }
  });
});

describe("every call of a sign-in goes through the proxy", () => {
  const fx = useEmulator();
  it("chatgpt login (discovery, token, JWKS), models, ask and logout (revocation) through HTTP_PROXY", async () => {
    const proxy = await startProxy();
    try {
      const home = await tempHome();
      const env = { ...siwcEnv(fx.emu, home), HTTP_PROXY: proxy.url, NO_PROXY: "" };
      const login = await cliLogin(fx.emu, env);
      assert.equal(login.code, 0, login.stderr);
      const models = await runCli(["models", "--provider", "chatgpt"], { env, inherit: false });
      assert.equal(models.code, 0, models.stderr);
      const ask = await runCli(["ask", "--provider", "chatgpt", "hi"], { env, inherit: false });
      assert.equal(ask.code, 0, ask.stderr);
      const logout = await runCli(["logout", "--provider", "chatgpt"], { env, inherit: false });
      assert.equal(logout.code, 0, logout.stderr);
      const paths = proxy.log.map((entry) => `${entry.line.split(" ")[0]} ${new URL(entry.line.split(" ")[1]).pathname}`);
      for (const expected of [
        "GET /.well-known/openid-configuration",
        "GET /.well-known/jwks.json",
        "POST /api/accounts/oauth/token",
        "GET /v1/models",
        "POST /v1/responses",
        "POST /api/accounts/oauth/revocation",
      ]) {
        assert.ok(paths.some((path) => path.startsWith(expected.split(" ")[0]) && path.endsWith(expected.split(" ")[1])), `${expected} did not go through the proxy: ${paths.join(", ")}`);
      }
      // Nothing reached the emulator except through the proxy (the test's "browser" aside).
      const direct = fx.emu.requests.filter((r) => !r.path.split("?")[0].endsWith("/api/accounts/authorize")).length;
      assert.equal(direct, proxy.log.length, `emulator saw ${fx.emu.requests.map((r) => r.path).join(", ")}, the proxy ${paths.join(", ")}`);
    } finally {
      await proxy.close();
    }
  });
});
