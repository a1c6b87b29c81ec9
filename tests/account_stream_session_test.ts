/**
 * An account stream lives only as long as the session that opened it: logout, revocation, a password change,
 * a role change, suspension and expiry each end it within a second, and nothing is sent on it afterwards.
 * And one user or one address cannot hold an unbounded number of streams open.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, newSession, signUp, type TestClient } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { streamHub } from "../services/accounts/stream.ts";
import { produceChange, SseReader } from "../services/accounts/stream_testing.ts";
import { createOrPromoteStaff } from "../services/auth/staff.ts";

/** Small caps so the cap steps stay quick; the defaults are checked separately. */
const PER_USER = 3;
const PER_IP = 5;

/** The stream must end within this long of its session ending (the bound). */
const END_WITHIN_MS = 1000;

function openStream(c: TestClient, accountId: string, auth: HeadersInit) {
  return c.request(`/api/accounts/${accountId}/stream`, { headers: auth });
}

/** Asserts a stream request was refused with 429 `too_many_streams` (never waits on an open stream). */
async function expectTooMany(res: Response): Promise<{ message: string; retryAfter: number }> {
  if (res.status === 200) {
    await res.body?.cancel();
    throw new Error("expected 429, the stream was opened");
  }
  const body = await expectError(res, 429, "too_many_streams");
  return { message: body.error.message, retryAfter: Number(res.headers.get("retry-after")) };
}

/** Opens a stream and reads up to its snapshot. */
async function watch(c: TestClient, accountId: string, auth: HeadersInit): Promise<SseReader> {
  const res = await openStream(c, accountId, auth);
  assert.equal(res.status, 200, await (res.status === 200 ? "" : res.text()));
  const sse = new SseReader(res.body!);
  assert.equal((await sse.nextEvent()).event, "snapshot");
  return sse;
}

/**
 * Reads until the stream ends; fails if it sends a change first or is still open after `ms`. Returns how
 * long it took.
 */
async function ends(sse: SseReader, ms = END_WITHIN_MS): Promise<number> {
  const started = Date.now();
  while (true) {
    const left = ms - (Date.now() - started);
    if (left <= 0) throw new Error(`the stream was still open after ${ms} ms`);
    try {
      const block = await sse.next(left);
      assert.notEqual(block.event, "change", `a change was sent after the session ended: ${block.data}`);
    } catch (error) {
      if ((error as Error).message === "the stream ended") return Date.now() - started;
      throw error;
    }
  }
}

Deno.test("account stream: ends with its session, and streams are capped", async (t) => {
  const { app, deps, close } = await openTestApp();
  streamHub(deps, { heartbeatMs: 60_000, maxStreamsPerUser: PER_USER, maxStreamsPerIp: PER_IP });
  const readers: SseReader[] = [];
  const track = (sse: SseReader) => (readers.push(sse), sse);
  try {
    const owner = await signUp(app);
    const { accountId } = await openTestAccount(deps.db, owner.userId);
    const change = () => produceChange(deps.db, deps.bus, accountId);
    const session = async () => {
      const s = await newSession(deps, owner);
      return { ...s, auth: { authorization: `Bearer ${s.accessToken}` } };
    };

    await t.step(
      "logout ends an open stream at once: a change committed right after is not sent",
      async () => {
        const s = await session();
        const sse = track(await watch(owner.client, accountId, s.auth));
        const res = await owner.client.json("POST", "/api/auth/logout", undefined, { bearer: s.accessToken });
        assert.equal(res.status, 204);
        await change();
        await ends(sse);
        await expectError(await openStream(owner.client, accountId, s.auth), 401, "unauthorized");
      },
    );

    await t.step("logout with only the refresh token ends the streams of that login", async () => {
      const s = await session();
      const sse = track(await watch(owner.client, accountId, s.auth));
      const res = await client(app).json("POST", "/api/auth/logout", { refreshToken: s.refreshToken });
      assert.equal(res.status, 204);
      await change();
      await ends(sse);
    });

    await t.step("revoking one session from another ends that session's stream only", async () => {
      const [victim, keeper] = [await session(), await session()];
      const gone = track(await watch(owner.client, accountId, victim.auth));
      const kept = track(await watch(owner.client, accountId, keeper.auth));
      const res = await owner.client.request(`/api/users/sessions/${victim.sessionId}`, {
        method: "DELETE",
        headers: keeper.auth,
      });
      assert.equal(res.status, 204);
      const sent = await change();
      await ends(gone);
      assert.equal((await kept.nextEvent()).id, String(sent.stateVersion), "the other session still streams");
    });

    await t.step("signing out everywhere else ends the other sessions' streams", async () => {
      const [other, current] = [await session(), await session()];
      const gone = track(await watch(owner.client, accountId, other.auth));
      const res = await owner.client.request("/api/users/sessions", {
        method: "DELETE",
        headers: current.auth,
      });
      assert.equal(res.status, 204);
      await change();
      await ends(gone);
    });

    await t.step("a password change ends the streams of the other sessions within a second", async () => {
      const user = await signUp(app);
      const account = await openTestAccount(deps.db, user.userId);
      const other = await newSession(deps, user);
      const gone = track(
        await watch(user.client, account.accountId, { authorization: `Bearer ${other.accessToken}` }),
      );
      const res = await user.client.json("PUT", "/api/users/password", {
        currentPassword: user.password,
        newPassword: `${user.password}-new`,
      }, { bearer: user.accessToken });
      assert.equal(res.status, 204, await res.text());
      await ends(gone);
    });

    await t.step("a role change (staff demoted to trader) ends the staff member's streams", async () => {
      const staff = await makeStaff(deps, "support");
      const sse = track(await watch(client(app), accountId, staff.auth));
      await createOrPromoteStaff(deps.db, { email: staff.email, role: "trader" }, {
        userId: null,
        ip: null,
        userAgent: "operator",
      });
      await ends(sse);
    });

    await t.step("suspending the user ends their streams (any session that is no longer live)", async () => {
      const user = await signUp(app);
      const account = await openTestAccount(deps.db, user.userId);
      const sse = track(await watch(user.client, account.accountId, user.auth));
      await deps.db.sql`update users set status = 'suspended' where id = ${user.userId}`;
      await ends(sse);
    });

    await t.step("a stream does not outlive its session's expiry", async () => {
      const s = await session();
      const sse = track(await watch(owner.client, accountId, s.auth));
      await deps.db.sql`update auth_sessions set expires_at = now() where id = ${s.sessionId}`;
      await ends(sse);
    });

    await t.step(
      `at most ${PER_USER} open streams per user: the next gets 429 until one closes`,
      async () => {
        const user = await signUp(app);
        const account = await openTestAccount(deps.db, user.userId);
        const open = [];
        for (let i = 0; i < PER_USER; i++) {
          // From different addresses and sessions: the cap is the user's.
          const s = await newSession(deps, user);
          open.push(
            track(await watch(client(app), account.accountId, { authorization: `Bearer ${s.accessToken}` })),
          );
        }
        const refused = await expectTooMany(await openStream(client(app), account.accountId, user.auth));
        assert.match(refused.message, new RegExp(`${PER_USER} open streams per user`));
        assert.ok(refused.retryAfter >= 1);
        await open[0].cancel();
        await eventuallyOpens(() => openStream(client(app), account.accountId, user.auth), track);
      },
    );

    await t.step(`at most ${PER_IP} open streams per address, whoever signs in`, async () => {
      const shared = client(app);
      for (let i = 0; i < PER_IP; i++) {
        const user = await signUp(app);
        const account = await openTestAccount(deps.db, user.userId);
        track(await watch(shared, account.accountId, user.auth));
      }
      const user = await signUp(app);
      const account = await openTestAccount(deps.db, user.userId);
      const refused = await expectTooMany(await openStream(shared, account.accountId, user.auth));
      assert.match(refused.message, new RegExp(`${PER_IP} open streams per address`));
      // Another address is not affected.
      track(await watch(client(app), account.accountId, user.auth));
    });
  } finally {
    await Promise.all(readers.map((r) => r.cancel()));
    await close();
  }
});

/** Opens once the hub has released a slot (a cancel is noticed asynchronously). */
async function eventuallyOpens(
  open: () => Promise<Response>,
  track: (s: SseReader) => SseReader,
): Promise<void> {
  const until = Date.now() + 3000;
  while (true) {
    const res = await open();
    if (res.status === 200) {
      const sse = track(new SseReader(res.body!));
      assert.equal((await sse.nextEvent()).event, "snapshot");
      return;
    }
    await res.body?.cancel();
    if (Date.now() > until) throw new Error(`a slot was not freed: ${res.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
