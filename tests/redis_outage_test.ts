/**
 * The app against a Redis that hangs or goes away (a private redis-server: the shared one is never touched).
 * A hung Redis must not stall sign-ins or the publish after a commit; a change published while Redis was
 * down must still reach an open stream once it is back, without the client reconnecting.
 */
import assert from "node:assert/strict";
import { hasBinary, skipUnless } from "./helpers/env.ts";
import { REDIS_SERVER, startRedis, stopRedis } from "./helpers/redis_server.ts";
import { freePort } from "./helpers/net.ts";
import { openTestApp, type TestApp } from "./helpers/app.ts";
import { apiLogin, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { connectRedisBus } from "../services/bus/mod.ts";
import { connectRedisRateLimiter } from "../services/rate_limit/mod.ts";
import { produceChange, SseReader } from "../services/accounts/stream_testing.ts";

const ignore = skipUnless(
  hasBinary(REDIS_SERVER),
  `${REDIS_SERVER} is absent: the Redis outage tests are skipped`,
);

/** The app with its bus and limiter on a private Redis at `port` (logs kept, not printed). */
async function appOn(port: number): Promise<TestApp & { logs: string[] }> {
  const logs: string[] = [];
  const log = (message: string) => void logs.push(message);
  const url = `redis://127.0.0.1:${port}`;
  const bus = await connectRedisBus({ url, log });
  const limiter = await connectRedisRateLimiter({ url, log });
  return { ...await openTestApp({ bus, limiter }), logs };
}

/** Resolves to how long `promise` took, or rejects when it takes longer than `ms` (instead of hanging). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<{ value: T; took: number }> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    const value = await Promise.race([promise, deadline]);
    return { value, took: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test(
  { name: "a hung Redis (SIGSTOP) stalls neither a sign-in nor the publish after a commit", ignore },
  async () => {
    const port = freePort();
    const server = await startRedis(port);
    const { app, deps, close } = await appOn(port);
    try {
      const trader = await signUp(app);
      const { accountId } = await openTestAccount(deps.db, trader.userId);
      server.kill("SIGSTOP");
      try {
        const login = await within(2500, "a sign-in", apiLogin(trader.client, trader.email, trader.password));
        assert.ok(login.value.accessToken, "signed in (the limiter failed open)");
        assert.ok(login.took < 2000, `a sign-in took ${login.took} ms`);

        const publish = await within(
          2500,
          "a commit and its publish",
          produceChange(deps.db, deps.bus, accountId),
        );
        assert.ok(publish.took < 2000, `the publish held the commit's caller ${publish.took} ms`);
        await assert.rejects(
          () => within(2500, "a direct publish", deps.bus.publish("probe", 1)),
          /no reply/,
        );
      } finally {
        server.kill("SIGCONT");
      }
    } finally {
      await close();
      await stopRedis(server);
    }
  },
);

Deno.test({
  name:
    "a change published while Redis was down reaches an open stream once Redis is back, without a reconnect",
  ignore,
}, async () => {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "outage_redis_" });
  let server = await startRedis(port, dir);
  const { app, deps, close, logs } = await appOn(port);
  let sse: SseReader | undefined;
  try {
    const trader = await signUp(app);
    const { accountId } = await openTestAccount(deps.db, trader.userId);
    const res = await trader.client.request(`/api/accounts/${accountId}/stream`, { headers: trader.auth });
    assert.equal(res.status, 200);
    sse = new SseReader(res.body!);
    assert.equal((await sse.nextEvent()).event, "snapshot");

    await stopRedis(server);
    // Committed (the change log has it); its publish fails at once and is logged.
    const missed = await produceChange(deps.db, deps.bus, accountId, { equity: "100321.00" });
    server = await startRedis(port, dir);

    // The subscriber reconnects on its backoff (at most ~3 s between attempts), then the hub re-reads.
    const frame = await sse.nextEvent(15_000);
    assert.equal(frame.event, "change");
    assert.equal(frame.id, String(missed.stateVersion));
    assert.equal(JSON.parse(frame.data).account.equity, "100321.00");
    assert.ok(logs.some((l) => l.includes("subscriber reconnected")), logs.join("\n"));

    // And it is live again once the publisher is back too: the next change arrives through the bus.
    const until = Date.now() + 15_000;
    while (await deps.bus.ping().then(() => false, () => Date.now() < until)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const next = await produceChange(deps.db, deps.bus, accountId);
    assert.equal((await sse.nextEvent(5000)).id, String(next.stateVersion));
  } finally {
    await sse?.cancel();
    await close();
    await stopRedis(server);
    await Deno.remove(dir, { recursive: true });
  }
});
