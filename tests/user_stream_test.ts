/**
 * GET /api/users/stream through the real app: the snapshot, changes of every account of the caller (also
 * accounts opened later), notifications, nothing of other users, an exact resume while changes of several
 * accounts and notifications commit concurrently, and the end of the stream with its session.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { expectError, newSession, signUp, type TestClient } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { streamHub } from "../services/accounts/stream.ts";
import { produceChange, SseReader } from "../services/accounts/stream_testing.ts";
import { type AccountChange, publishChange, recordChange } from "../services/accounts/change_log.ts";
import { loadSummary } from "../services/accounts/summary.ts";
import { addNotification, publishNotifications } from "../services/notifications/store.ts";
import type { PublishedNotification } from "../services/notifications/types.ts";
import type { Db } from "../db/client.ts";
import type { Bus } from "../services/bus/mod.ts";

function openStream(c: TestClient, headers: HeadersInit = {}) {
  return c.request("/api/users/stream", { headers });
}

/** Reads events until `n` arrived, ignoring heartbeats. */
async function events(sse: SseReader, n: number) {
  const out = [];
  while (out.length < n) out.push(await sse.nextEvent());
  return out;
}

/** Fails when another event arrives within `ms` (heartbeats are fine). */
async function quiet(sse: SseReader, ms = 300): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const block = await sse.next(Math.max(1, until - Date.now()));
      assert.equal(block.event, undefined, `unexpected ${block.event}: ${block.data}`);
    } catch (error) {
      if (/no SSE block/.test((error as Error).message)) return;
      throw error;
    }
  }
}

/** What identifies an event across streams: its log and position. */
function keyOf(event: { event: string; data: string }): string {
  const data = JSON.parse(event.data);
  return event.event === "change" ? `${data.accountId}@${data.stateVersion}` : `n:${data.id}`;
}

/**
 * Commits one change of `accountId` and, with `notify`, a notification in the same transaction (as the
 * engine's path does), then publishes both unless `publish` is false.
 */
async function commit(
  db: Db,
  bus: Bus,
  userId: string,
  accountId: string,
  opts: { notify: boolean; publish: boolean; hold?: number },
): Promise<string[]> {
  const { change, note } = await db.tx(async (tx) => {
    const [row] = await tx<{ state_version: number }[]>`
      update accounts set state_version = state_version + 1 where id = ${accountId} returning state_version`;
    const change: AccountChange = {
      accountId,
      stateVersion: row.state_version,
      previousVersion: row.state_version - 1,
      kind: "sync",
      at: new Date().toISOString(),
      account: (await loadSummary(tx, accountId))!,
      verdicts: [],
    };
    await recordChange(tx, change);
    let note: PublishedNotification | null = null;
    if (opts.notify) {
      note = await addNotification(tx, {
        userId,
        type: "daily_loss_warning",
        accountId,
        dedupeKey: `${accountId}:test:${row.state_version}`,
        title: "Test",
        body: `version ${row.state_version}`,
      });
    }
    // Hold the transaction open a while so commits of different accounts interleave.
    if (opts.hold) await new Promise((resolve) => setTimeout(resolve, opts.hold));
    return { change, note };
  });
  if (opts.publish) {
    await publishChange(bus, change);
    if (note) await publishNotifications(bus, userId, [note]);
  }
  return [`${accountId}@${change.stateVersion}`, ...(note ? [`n:${note.notification.id}`] : [])];
}

Deno.test("user stream: GET /api/users/stream", async (t) => {
  const { app, deps, close } = await openTestApp();
  streamHub(deps, { heartbeatMs: 60_000 });
  try {
    const owner = await signUp(app);
    const other = await signUp(app);
    const a = (await openTestAccount(deps.db, owner.userId)).accountId;
    const b = (await openTestAccount(deps.db, owner.userId)).accountId;
    const foreign = (await openTestAccount(deps.db, other.userId)).accountId;

    await t.step("anonymous: 401", async () => {
      await expectError(await openStream(owner.client), 401, "unauthorized");
    });

    await t.step("a snapshot of every account, then changes of A and B, nothing of others", async () => {
      const res = await openStream(owner.client, owner.auth);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
      const sse = new SseReader(res.body!);
      try {
        assert.equal((await sse.next()).retry, 3000);
        const snapshot = await sse.nextEvent();
        assert.equal(snapshot.event, "snapshot");
        const data = JSON.parse(snapshot.data);
        assert.deepEqual(data.accounts.map((x: { id: string }) => x.id).toSorted(), [a, b].toSorted());
        assert.equal(data.unread, 0);
        assert.equal(data.accounts[0].userId, owner.userId);

        await produceChange(deps.db, deps.bus, foreign); // never delivered
        const ca = await produceChange(deps.db, deps.bus, a, { equity: "100100.00" });
        const cb = await produceChange(deps.db, deps.bus, b, { step: 3 });
        const [fa, fb] = await events(sse, 2);
        assert.equal(fa.event, "change");
        assert.deepEqual(JSON.parse(fa.data), ca, "the AccountChange JSON as the account stream sends it");
        assert.deepEqual(JSON.parse(fb.data), cb);
        assert.notEqual(fa.id, fb.id);
        await quiet(sse);
      } finally {
        await sse.cancel();
      }
    });

    await t.step("accounts opened after the stream started are followed, published or not", async () => {
      const sse = new SseReader((await openStream(owner.client, owner.auth)).body!);
      try {
        assert.equal((await sse.nextEvent()).event, "snapshot");
        const c = await openTestAccount(deps.db, owner.userId);
        await publishChange(deps.bus, c.opened);
        const [opened] = await events(sse, 1);
        assert.deepEqual(JSON.parse(opened.data), c.opened);
        // The opening of D is never published: D's first published change reveals the gap, the log fills it.
        const d = await openTestAccount(deps.db, owner.userId);
        const next = await produceChange(deps.db, deps.bus, d.accountId);
        const got = await events(sse, 2);
        assert.deepEqual(got.map((e) => JSON.parse(e.data)), [d.opened, next]);
        await quiet(sse);
      } finally {
        await sse.cancel();
      }
    });

    await t.step("notifications arrive with the unread count", async () => {
      const sse = new SseReader((await openStream(owner.client, owner.auth)).body!);
      try {
        assert.equal(JSON.parse((await sse.nextEvent()).data).unread, 0);
        const keys = await commit(deps.db, deps.bus, owner.userId, a, { notify: true, publish: true });
        const [change, note] = await events(sse, 2);
        assert.equal(change.event, "change");
        assert.equal(note.event, "notification");
        const body = JSON.parse(note.data);
        assert.equal(`n:${body.id}`, keys[1]);
        assert.deepEqual(
          Object.keys(body).toSorted(),
          ["accountId", "body", "createdAt", "id", "readAt", "title", "type", "unread"],
        );
        assert.equal(body.unread, 1);
        assert.equal(body.accountId, a);
      } finally {
        await sse.cancel();
      }
    });

    await t.step(
      "concurrent commits of several accounts: a resume from any id has no gap and no duplicate",
      async () => {
        const live = new SseReader((await openStream(owner.client, owner.auth)).body!);
        const first = new SseReader((await openStream(owner.client, owner.auth)).body!);
        assert.equal((await live.nextEvent()).event, "snapshot");
        assert.equal((await first.nextEvent()).event, "snapshot");
        // Six writers over two accounts; transactions held open for different times so that commits of
        // A and B (and the notifications' numbers) interleave; one in four publishes is "lost".
        let i = 0;
        const writer = async () => {
          const keys: string[] = [];
          for (let n = 0; n < 6; n++) {
            const k = i++;
            keys.push(
              ...await commit(deps.db, deps.bus, owner.userId, k % 2 ? a : b, {
                notify: k % 3 === 0,
                publish: k % 4 !== 3,
                hold: (k * 7) % 25,
              }),
            );
          }
          return keys;
        };
        const writing = Promise.all(Array.from({ length: 6 }, writer));
        // The first client leaves after a few events, mid-way through the commits, and resumes.
        const before = await events(first, 5);
        await first.cancel();
        const committed = (await writing).flat();
        // A lost publish is noticed with the next one of its log: end with a published change of each.
        for (const id of [a, b]) {
          committed.push(
            ...await commit(deps.db, deps.bus, owner.userId, id, { notify: true, publish: true }),
          );
        }
        const resumed = new SseReader(
          (await openStream(owner.client, { ...owner.auth, "last-event-id": before.at(-1)!.id })).body!,
        );
        try {
          const rest = await events(resumed, committed.length - before.length);
          assert.ok(rest.every((e) => e.event !== "snapshot"), "a resume sends no snapshot");
          const seen = [...before, ...rest].map(keyOf);
          assert.equal(new Set(seen).size, seen.length, "no duplicates");
          assert.deepEqual(seen.toSorted(), committed.toSorted(), "no gaps");
          await quiet(resumed);

          const all = (await events(live, committed.length)).map(keyOf);
          assert.deepEqual(all.toSorted(), committed.toSorted(), "a stream open throughout gets each once");
          await quiet(live);
          // Per account, versions arrive in order.
          for (const id of [a, b]) {
            const versions = all.filter((k) => k.startsWith(id)).map((k) => Number(k.split("@")[1]));
            assert.deepEqual(versions, versions.toSorted((x, y) => x - y));
          }
        } finally {
          await resumed.cancel();
          await live.cancel();
        }
      },
    );

    await t.step("an id the logs cannot serve gets a snapshot", async () => {
      const [{ v }] = await deps.db.sql<
        { v: number }[]
      >`select state_version as v from accounts where id = ${a}`;
      for (
        const id of [
          "garbage",
          "999999",
          `0.${foreign.replaceAll("-", "").slice(0, 8)}-0`, // someone else's account
          `0.${a.replaceAll("-", "").slice(0, 8)}-${v + 5}`, // ahead of the log
        ]
      ) {
        const sse = new SseReader(
          (await openStream(owner.client, { ...owner.auth, "last-event-id": id })).body!,
        );
        try {
          assert.equal((await sse.nextEvent()).event, "snapshot", id);
        } finally {
          await sse.cancel();
        }
      }
    });

    await t.step("the stream ends with its session", async () => {
      const s = await newSession(deps, owner);
      const auth = { authorization: `Bearer ${s.accessToken}` };
      const sse = new SseReader((await openStream(owner.client, auth)).body!);
      assert.equal((await sse.nextEvent()).event, "snapshot");
      const res = await owner.client.json("POST", "/api/auth/logout", undefined, { bearer: s.accessToken });
      assert.equal(res.status, 204);
      await produceChange(deps.db, deps.bus, a);
      const started = Date.now();
      await assert.rejects(async () => {
        while (true) {
          const block = await sse.next(2000);
          assert.notEqual(block.event, "change", "nothing is sent after the session ended");
        }
      }, /the stream ended/);
      assert.ok(Date.now() - started < 1000);
      await expectError(await openStream(owner.client, auth), 401, "unauthorized");
    });
  } finally {
    await close();
  }
});
