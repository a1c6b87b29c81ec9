/**
 * GET /api/accounts/:id/stream through the real app: snapshot, live changes, heartbeats, resume without
 * gaps, who may watch, and the hub subscription released when the client goes.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { listen } from "../lib/http_listener.ts";
import { expectError, makeStaff, signUp, type TestClient } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { streamHub } from "../services/accounts/stream.ts";
import { produceChange, SseReader } from "../services/accounts/stream_testing.ts";

const HEARTBEAT_MS = 100;

function openStream(c: TestClient, accountId: string, headers: HeadersInit = {}, query = "") {
  return c.request(`/api/accounts/${accountId}/stream${query}`, { headers });
}

/** Waits until `check` holds (the hub releases asynchronously after a cancel). */
async function eventually(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("account stream: GET /api/accounts/:id/stream", async (t) => {
  const { app, deps, close } = await openTestApp();
  const hub = streamHub(deps, { heartbeatMs: HEARTBEAT_MS });
  try {
    const owner = await signUp(app);
    const other = await signUp(app);
    const { accountId } = await openTestAccount(deps.db, owner.userId);
    const change = (options = {}) => produceChange(deps.db, deps.bus, accountId, options);

    await t.step(
      "the first frame is a snapshot with the state version as id, then change frames",
      async () => {
        const res = await openStream(owner.client, accountId, owner.auth);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
        assert.match(res.headers.get("cache-control")!, /no-cache/);
        assert.equal(res.headers.get("x-accel-buffering"), "no");
        assert.equal(res.headers.get("x-content-type-options"), "nosniff", "security headers still apply");
        const sse = new SseReader(res.body!);
        try {
          assert.equal((await sse.next()).retry, 3000);
          const snapshot = await sse.nextEvent();
          assert.equal(snapshot.event, "snapshot");
          const view = JSON.parse(snapshot.data);
          assert.equal(view.account.id, accountId);
          assert.equal(snapshot.id, String(view.account.stateVersion));
          assert.deepEqual(Object.keys(view).toSorted(), [
            "account",
            "breach",
            "objectives",
            "planVersionId",
          ]);
          assert.ok(view.objectives.some((o: { key: string }) => o.key === "max_loss"));

          const sent = await change({ equity: "100250.00" });
          const frame = await sse.nextEvent();
          assert.equal(frame.event, "change");
          assert.equal(frame.id, String(sent.stateVersion));
          const body = JSON.parse(frame.data);
          assert.equal(body.accountId, accountId);
          assert.equal(body.stateVersion, sent.stateVersion);
          assert.equal(body.account.equity, "100250.00");
          assert.deepEqual(body.verdicts, []);
        } finally {
          await sse.cancel();
        }
      },
    );

    await t.step("heartbeat comments arrive while nothing changes", async () => {
      const res = await openStream(owner.client, accountId, owner.auth);
      const sse = new SseReader(res.body!);
      try {
        await sse.nextEvent();
        const started = Date.now();
        const block = await sse.next(HEARTBEAT_MS * 20);
        assert.deepEqual(block.comments, ["hb"]);
        assert.equal(block.event, undefined);
        assert.ok(Date.now() - started < HEARTBEAT_MS * 20);
      } finally {
        await sse.cancel();
      }
    });

    await t.step("Last-Event-ID replays exactly the missed versions, then goes live", async () => {
      const first = new SseReader((await openStream(owner.client, accountId, owner.auth)).body!);
      const snapshot = await first.nextEvent();
      const seen = await change();
      assert.equal((await first.nextEvent()).id, String(seen.stateVersion));
      await first.cancel();

      // Missed while away: a single change, a lost publish, and a batch of three events.
      const missed = [
        await change(),
        await change({ publish: false }),
        await change({ step: 3 }),
      ].map((c) => String(c.stateVersion));
      assert.ok(Number(missed[2]) - Number(missed[1]) === 3);

      for (
        const [how, headers, query] of [
          ["header", { ...owner.auth, "last-event-id": String(seen.stateVersion) }, ""],
          ["query", owner.auth, `?lastEventId=${seen.stateVersion}`],
        ] as const
      ) {
        const sse = new SseReader((await openStream(owner.client, accountId, headers, query)).body!);
        try {
          const replayed = [];
          for (const _ of missed) {
            const frame = await sse.nextEvent();
            assert.equal(frame.event, "change", `${how}: a resume sends no snapshot`);
            replayed.push(frame.id);
          }
          assert.deepEqual(replayed, missed, how);
          const live = await change();
          assert.equal((await sse.nextEvent()).id, String(live.stateVersion), `${how}: then live`);
          missed.push(String(live.stateVersion)); // the next resume (from the same id) replays it too
        } finally {
          await sse.cancel();
        }
      }
      assert.ok(Number(snapshot.id) < seen.stateVersion);
    });

    await t.step("an id the log cannot serve (ahead, garbage) gets a fresh snapshot", async () => {
      for (const id of ["999999", "abc", "-1"]) {
        const res = await openStream(owner.client, accountId, { ...owner.auth, "last-event-id": id });
        const sse = new SseReader(res.body!);
        try {
          const frame = await sse.nextEvent();
          assert.equal(frame.event, "snapshot", `Last-Event-ID ${id}`);
        } finally {
          await sse.cancel();
        }
      }
    });

    await t.step("streams opened while changes are committed see every version once, in order", async () => {
      const [{ version: start }] = await deps.db.sql<{ version: number }[]>`
        select state_version as version from accounts where id = ${accountId}`;
      const readers = await Promise.all(
        [0, 1, 2, 3].map(async () =>
          new SseReader(
            (await openStream(owner.client, accountId, { ...owner.auth, "last-event-id": String(start) }))
              .body!,
          )
        ),
      );
      const producing = (async () => {
        const out = [];
        for (let i = 0; i < 12; i++) {
          out.push((await change({ step: 1 + (i % 3), publish: i % 5 !== 4 })).stateVersion);
        }
        return out;
      })();
      // More streams join mid-way, resuming from the same point.
      readers.push(
        ...await Promise.all(
          [0, 1].map(async () =>
            new SseReader(
              (await openStream(owner.client, accountId, { ...owner.auth, "last-event-id": String(start) }))
                .body!,
            )
          ),
        ),
      );
      const versions = (await producing).map(String);
      try {
        for (const sse of readers) {
          const got = [];
          while (got.length < versions.length) got.push((await sse.nextEvent()).id);
          assert.deepEqual(got, versions);
        }
      } finally {
        await Promise.all(readers.map((r) => r.cancel()));
      }
    });

    await t.step("another trader gets 404, staff 200, anonymous 401, a malformed id 404", async () => {
      await expectError(await openStream(other.client, accountId, other.auth), 404, "not_found", "other");
      const [audit] = await deps.db.sql`
        select 1 from audit_log where action = 'authz.denied' and target_id = ${accountId}
          and actor_id = ${other.userId}`;
      assert.ok(audit, "the refused attempt is audited");
      await expectError(await openStream(other.client, crypto.randomUUID(), other.auth), 404, "not_found");
      await expectError(await openStream(other.client, accountId), 401, "unauthorized", "anonymous");
      await expectError(await openStream(other.client, "not-a-uuid", other.auth), 404, "not_found");

      for (const role of ["support", "risk", "admin"] as const) {
        const staff = await makeStaff(deps, role);
        const res = await openStream(other.client, accountId, staff.auth);
        assert.equal(res.status, 200, role);
        const sse = new SseReader(res.body!);
        assert.equal((await sse.nextEvent()).event, "snapshot", role);
        await sse.cancel();
      }
    });

    await t.step("a browser session cookie authenticates the stream (GET needs no CSRF token)", async () => {
      const res = await openStream(owner.client, accountId, {
        cookie: `pt_access=${owner.accessToken}`,
        "sec-fetch-site": "same-origin",
        accept: "text/event-stream",
      });
      assert.equal(res.status, 200);
      const sse = new SseReader(res.body!);
      assert.equal((await sse.nextEvent()).event, "snapshot");
      await sse.cancel();
    });

    await t.step(
      "a disconnect releases the stream and, with the last one, the bus subscription",
      async () => {
        await eventually(() => hub.stats.streams === 0, "earlier streams to leave");
        const readers = [];
        for (let i = 0; i < 3; i++) {
          const sse = new SseReader((await openStream(owner.client, accountId, owner.auth)).body!);
          await sse.nextEvent();
          readers.push(sse);
        }
        assert.deepEqual(hub.stats, { streams: 3, channels: 1 });
        await readers[0].cancel();
        await eventually(() => hub.stats.streams === 2, "one stream to leave");
        assert.equal(hub.stats.channels, 1);
        await readers[1].cancel();
        await readers[2].cancel();
        await eventually(() => hub.stats.channels === 0, "the channel to be left");
      },
    );

    await t.step("over a real socket: unbuffered even with gzip accepted, released on abort", async () => {
      const server = await listen({ hostname: "127.0.0.1", port: 0 }, (req, info) => app.fetch(req, info));
      const abort = new AbortController();
      try {
        const res = await fetch(`http://127.0.0.1:${server.port}/api/accounts/${accountId}/stream`, {
          headers: { ...owner.auth, "accept-encoding": "gzip, br" },
          signal: abort.signal,
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-encoding"), null);
        const sse = new SseReader(res.body!);
        assert.equal((await sse.nextEvent()).event, "snapshot");
        const sent = await change();
        assert.equal((await sse.nextEvent()).id, String(sent.stateVersion));
        assert.equal(hub.stats.streams, 1);
        abort.abort();
        await eventually(() => hub.stats.channels === 0, "the server to notice the disconnect");
      } finally {
        abort.abort();
        await server.shutdown(1000);
      }
    });
  } finally {
    await close();
  }
});
