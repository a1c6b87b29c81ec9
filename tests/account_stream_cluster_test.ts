/**
 * Two app processes sharing PostgreSQL and Redis: a change committed and published on one reaches an SSE
 * subscriber of the other, in both directions, and a resume on one replays what the other committed.
 */
import assert from "node:assert/strict";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { openTestApp } from "./helpers/app.ts";
import { signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { produceChange, SseReader } from "../services/accounts/stream_testing.ts";
import { StreamServer } from "./fixtures/stream_server.ts";

const ignore = skipUnless(
  !!testEnv.databaseUrl && !!testEnv.redisUrl,
  "DATABASE_URL and REDIS_URL are both needed: the two-process SSE test is skipped",
);

Deno.test({ name: "account stream across two processes sharing PostgreSQL and Redis", ignore }, async (t) => {
  const { app, deps, close } = await openTestApp();
  let other: StreamServer | undefined;
  try {
    // The second process works in this test's schema and accepts this process's tokens.
    const [{ schema }] = await deps.db.sql<{ schema: string }[]>`select current_schema() as schema`;
    const url = new URL(testEnv.databaseUrl!);
    url.searchParams.set("search_path", schema);
    other = await StreamServer.spawn({
      DATABASE_URL: url.href,
      REDIS_URL: testEnv.redisUrl!,
      JWT_SECRET: deps.config.jwtSecret,
      APP_URL: deps.config.appUrl,
    });
    assert.equal(other.info.bus, "redis");
    const remote = other;
    const trader = await signUp(app);
    const { accountId } = await openTestAccount(deps.db, trader.userId);
    const remoteStream = (headers: HeadersInit = {}) =>
      fetch(`http://127.0.0.1:${remote.port}/api/accounts/${accountId}/stream`, {
        headers: { ...trader.auth, ...headers },
      });

    let lastSeen = 0;
    await t.step("a change made here reaches a subscriber of the other process", async () => {
      const res = await remoteStream();
      assert.equal(res.status, 200, await (res.status === 200 ? "" : res.text()));
      const sse = new SseReader(res.body!);
      try {
        assert.equal((await sse.nextEvent(10_000)).event, "snapshot");
        const sent = await produceChange(deps.db, deps.bus, accountId, { equity: "100100.00" });
        const frame = await sse.nextEvent(10_000);
        assert.equal(frame.event, "change");
        assert.equal(frame.id, String(sent.stateVersion));
        assert.equal(JSON.parse(frame.data).account.equity, "100100.00");
        lastSeen = sent.stateVersion;
      } finally {
        await sse.cancel();
      }
    });

    await t.step("a change made there reaches a subscriber of this process", async () => {
      const res = await trader.client.request(`/api/accounts/${accountId}/stream`, { headers: trader.auth });
      const sse = new SseReader(res.body!);
      try {
        assert.equal((await sse.nextEvent()).event, "snapshot");
        const { stateVersion } = await remote.command<{ stateVersion: number }>({
          cmd: "produce",
          accountId,
        });
        assert.equal((await sse.nextEvent(10_000)).id, String(stateVersion));
        lastSeen = stateVersion;
      } finally {
        await sse.cancel();
      }
    });

    await t.step("a resume there replays exactly what was committed here meanwhile", async () => {
      const missed = [];
      for (const step of [1, 2, 1]) {
        missed.push(String((await produceChange(deps.db, deps.bus, accountId, { step })).stateVersion));
      }
      const sse = new SseReader((await remoteStream({ "last-event-id": String(lastSeen) })).body!);
      try {
        const got = [];
        while (got.length < missed.length) got.push((await sse.nextEvent(10_000)).id);
        assert.deepEqual(got, missed);
        const live = await produceChange(deps.db, deps.bus, accountId);
        assert.equal((await sse.nextEvent(10_000)).id, String(live.stateVersion));
      } finally {
        await sse.cancel();
      }
      // The other process let go of the account's channel once its last stream left.
      const until = Date.now() + 5000;
      let stats = await remote.command<{ streams: number; channels: number }>({ cmd: "stats" });
      while (stats.channels !== 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        stats = await remote.command({ cmd: "stats" });
      }
      assert.deepEqual({ streams: stats.streams, channels: stats.channels }, { streams: 0, channels: 0 });
    });
  } finally {
    await other?.close();
    await close();
  }
});
