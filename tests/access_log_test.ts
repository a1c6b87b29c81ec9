/**
 * The access log: one line per request with its route pattern, status, duration, bytes, request id, user and
 * address; nothing secret and no full email on any line a request writes; the caller's trace honoured.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp, strongPassword, uniqueEmail } from "./helpers/client.ts";
import { configureLog } from "../services/log.ts";
import { listen } from "../lib/http_listener.ts";

async function captureLog(fn: (lines: string[]) => Promise<void>) {
  const lines: string[] = [];
  const previous = configureLog({ level: "debug", format: "json", write: (line) => lines.push(line) });
  try {
    await fn(lines);
  } finally {
    configureLog(previous);
  }
}

const accessLines = (lines: string[]) =>
  lines.map((l) => JSON.parse(l)).filter((l) => l.scope === "http" && l.msg === "request");

Deno.test("access log: one JSON line per request, with the route pattern, status, bytes, ids and address", async () => {
  const { app, deps, close } = await openTestApp();
  (deps.config as { accessLog: boolean }).accessLog = true;
  try {
    const user = await signUp(app);
    const c = client(app);
    const id = crypto.randomUUID();
    await captureLog(async (lines) => {
      const res = await c.json("GET", `/api/accounts/${id}/overview`, undefined, {
        bearer: user.accessToken,
      });
      assert.equal(res.status, 404);
      const body = await res.text();
      const page = await c.request("/faq");
      assert.equal(page.status, 200);
      const html = await page.text();

      const [api, faq, ...rest] = accessLines(lines);
      assert.equal(rest.length, 0, JSON.stringify(lines));
      assert.equal(api.level, "info");
      assert.equal(api.method, "GET");
      assert.equal(api.route, "/api/accounts/:id/overview");
      assert.equal(api.status, 404);
      assert.equal(typeof api.durationMs, "number");
      assert.equal(api.bytes, new TextEncoder().encode(body).byteLength);
      assert.equal(api.requestId, res.headers.get("x-request-id"));
      assert.equal(api.userId, user.userId);
      assert.equal(api.ip, c.ip);
      assert.equal(faq.route, "/faq");
      assert.equal(faq.bytes, new TextEncoder().encode(html).byteLength);
      assert.equal(faq.userId, null);
    });
  } finally {
    await close();
  }
});

Deno.test("access log: a cached page is logged as it is answered, with the length of the body handed over", async () => {
  const { app, deps, close } = await openTestApp();
  (deps.config as { accessLog: boolean }).accessLog = true;
  const server = await listen({ port: 0, hostname: "127.0.0.1" }, (req, info) => app.fetch(req, info));
  try {
    const url = `http://127.0.0.1:${server.port}/challenges?size=10K`;
    await (await fetch(url)).body?.cancel(); // stores the page
    await captureLog(async (lines) => {
      const res = await fetch(url, { headers: { "accept-encoding": "identity" } });
      assert.equal(res.headers.get("x-page-cache"), "hit");
      // Written before the response left: no waiting for the body to be read.
      const [line, ...rest] = accessLines(lines);
      assert.equal(rest.length, 0, JSON.stringify(lines));
      const html = await res.text();
      assert.equal(line.route, "(cached)");
      assert.equal(line.status, 200);
      assert.equal(line.path, "/challenges?size=10K");
      assert.equal(line.bytes, new TextEncoder().encode(html).byteLength);
      assert.equal(typeof line.durationMs, "number");
      assert.equal(line.requestId, res.headers.get("x-request-id"));
      assert.equal(line.ip, "127.0.0.1");

      // Answered without Deno.serve (no socket at all): the same line, at once, its body never read.
      const direct = await app.request("/challenges?size=10K", { method: "HEAD" });
      assert.equal(direct.headers.get("x-page-cache"), "hit");
      const head = accessLines(lines)[1];
      assert.equal(head.method, "HEAD");
      assert.equal(head.bytes, 0);
      const unread = await app.request("/challenges?size=10K", { headers: { "accept-encoding": "gzip" } });
      const gz = accessLines(lines)[2];
      assert.equal(gz.requestId, unread.headers.get("x-request-id"));
      assert.equal(gz.bytes, (await unread.arrayBuffer()).byteLength);
      assert.equal(accessLines(lines).length, 3);
    });
  } finally {
    await server.shutdown(1000);
    await close();
  }
});

/**
 * Why a cached page's line does not wait for Deno.serve's `completed` (services/http_observer.ts): for a body
 * given as bytes it resolves even when the client hangs up having read almost nothing, so it says no more than
 * the length handed over. Should a Deno release change that, this fails and the module comment needs a look.
 */
Deno.test("access log: Deno.serve's completed resolves for a byte body the client never read", async () => {
  const settled = Promise.withResolvers<string>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (_req, info) => {
    info.completed.then(() => settled.resolve("resolved"), () => settled.resolve("rejected"));
    return new Response(new Uint8Array(8 * 1024 * 1024));
  });
  try {
    const conn = await Deno.connect({ port: server.addr.port, hostname: "127.0.0.1" });
    await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nhost: x\r\n\r\n"));
    await conn.read(new Uint8Array(16));
    conn.close();
    assert.equal(await settled.promise, "resolved");
  } finally {
    await server.shutdown();
  }
});

Deno.test("access log: passwords, tokens, cookies and full emails never reach any line a request writes", async () => {
  const { app, deps, close } = await openTestApp();
  (deps.config as { accessLog: boolean }).accessLog = true;
  try {
    const email = uniqueEmail("mask");
    const password = strongPassword();
    const c = client(app);
    await captureLog(async (lines) => {
      const signup = await c.json("POST", "/api/auth/register", { email, password, name: "Mask Test" });
      await signup.body?.cancel();
      const login = await c.json("POST", "/api/auth/login", { email, password });
      const { accessToken } = await login.json();
      assert.ok(accessToken, "signed in");
      const me = await c.json("GET", "/api/users/profile", undefined, { bearer: accessToken });
      await me.body?.cancel();
      const reset = await c.request("/reset-password?token=s3cret-reset-token");
      await reset.body?.cancel();
      const forgot = await c.json("POST", "/api/auth/forgot-password", { email });
      await forgot.body?.cancel();
      await deps.background.settled();

      assert.ok(accessLines(lines).length >= 5, JSON.stringify(lines));
      const text = lines.join("\n");
      for (const secret of [password, accessToken, "s3cret-reset-token", email]) {
        assert.ok(!text.includes(secret), `leaked ${secret.slice(0, 12)}…: ${text.slice(0, 3000)}`);
      }
      const path = accessLines(lines).find((l) => l.route === "/reset-password").path;
      assert.equal(path, "/reset-password?token=[redacted]");
    });
  } finally {
    await close();
  }
});

Deno.test("trace context: a traceparent is honoured in the log and echoed with our span; a bad one is not", async () => {
  const { app, deps, close } = await openTestApp();
  (deps.config as { accessLog: boolean }).accessLog = true;
  try {
    await captureLog(async (lines) => {
      const traced = await app.request("/healthz", {
        headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
      });
      await traced.body?.cancel();
      assert.equal(traced.headers.get("x-request-id"), "4bf92f3577b34da6a3ce929d0e0e4736");
      const echoed = traced.headers.get("traceparent") ?? "";
      assert.match(echoed, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
      assert.ok(!echoed.includes("00f067aa0ba902b7"), "our own span, child of the caller's");
      const [line] = accessLines(lines);
      assert.equal(line.requestId, "4bf92f3577b34da6a3ce929d0e0e4736");

      const bad = await app.request("/healthz", {
        headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01" },
      });
      await bad.body?.cancel();
      const id = bad.headers.get("x-request-id") ?? "";
      assert.match(id, /^[0-9a-f]{32}$/);
      assert.notEqual(id, "4bf92f3577b34da6a3ce929d0e0e4736", "a malformed parent starts a new trace");
      assert.match(bad.headers.get("traceparent") ?? "", new RegExp(`^00-${id}-[0-9a-f]{16}-00$`));
      assert.equal(accessLines(lines)[1].requestId, id);
    });
  } finally {
    await close();
  }
});
