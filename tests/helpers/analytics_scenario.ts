/**
 * A constructed quarter (January–March 2024, UTC) for the analytics tests: orders, refunds, phase passes and
 * failures, breaches, trader events, a funded account and payouts, several right on a period boundary. The
 * facts are written straight into the tables, at the instants the app would have recorded them; the
 * expected figures are computed by hand in tests/admin_analytics_test.ts.
 */
import type { Db } from "../../db/client.ts";

const T = (iso: string) => new Date(iso);

export interface Scenario {
  planA: string;
  planB: string;
  users: string[];
}

export async function buildScenario(db: Db): Promise<Scenario> {
  return await db.tx(async (tx) => {
    const tag = crypto.randomUUID().slice(0, 8);
    const user = async (n: number) => {
      const [{ id }] = await tx<{ id: string }[]>`
        insert into users (email, password_hash) values (${`scenario-${tag}-${n}@example.test`}, 'x')
        returning id`;
      return id;
    };
    const [u1, u2, u3] = [await user(1), await user(2), await user(3)];
    const plan = async (name: string, price: string) => {
      const [{ id }] = await tx<{ id: string }[]>`
        insert into plans (slug, family, name) values (${`scenario-${tag}-${
        price.replace(".", "-")
      }`}, 'Test',
          ${name}) returning id`;
      const [{ id: version }] = await tx<{ id: string }[]>`
        insert into plan_versions (plan_id, version, currency, initial_balance, price, definition)
        values (${id}, 1, 'USD', 10000, ${price}, '{}') returning id`;
      return { id, version };
    };
    const a = await plan(`Scenario A ${tag}`, "100.00");
    const b = await plan(`Scenario B ${tag}`, "250.00");

    const order = async (
      userId: string,
      version: string,
      o: { list: string; discount?: string; status: string; paidAt: Date | null; currency?: string },
    ) => {
      const discount = o.discount ?? "0.00";
      const [{ id }] = await tx<{ id: string }[]>`
        insert into orders (user_id, plan_version_id, currency, list_price, discount, amount, status, provider,
                            paid_at, created_at)
        values (${userId}, ${version}, ${o.currency ?? "USD"}, ${o.list}, ${discount},
                ${(Number(o.list) - Number(discount)).toFixed(2)}, ${o.status}, 'demo', ${o.paidAt},
                ${o.paidAt ?? T("2024-02-10T00:00:00Z")})
        returning id`;
      return id;
    };
    const refund = async (orderId: string, amount: string, at: Date, status = "succeeded") => {
      await tx`
        insert into refunds (order_id, amount, currency, reason, status, provider, idempotency_key, created_at,
                             succeeded_at)
        values (${orderId}, ${amount}, 'USD', 'scenario refund', ${status}, 'demo',
                ${crypto.randomUUID()}, ${at}, ${status === "succeeded" ? at : null})`;
    };
    const o1 = await order(u1, a.version, {
      list: "100.00",
      status: "paid",
      paidAt: T("2024-01-10T12:00:00Z"),
    });
    await order(u2, a.version, { list: "100.00", status: "paid", paidAt: T("2024-01-31T23:59:59.999Z") });
    await order(u3, b.version, { list: "250.00", status: "paid", paidAt: T("2024-02-01T00:00:00Z") });
    const o4 = await order(u1, b.version, {
      list: "250.00",
      discount: "50.00",
      status: "refunded",
      paidAt: T("2024-02-15T09:00:00Z"),
    });
    const o5 = await order(u2, a.version, {
      list: "100.00",
      status: "paid",
      paidAt: T("2024-03-20T10:00:00Z"),
    });
    await order(u3, a.version, { list: "100.00", status: "pending", paidAt: null });
    await order(u3, a.version, { list: "100.00", status: "paid", paidAt: T("2023-12-31T23:59:59Z") });
    await order(u3, a.version, {
      list: "100.00",
      status: "paid",
      paidAt: T("2024-01-12T00:00:00Z"),
      currency: "EUR",
    });
    await refund(o4, "200.00", T("2024-03-05T08:00:00Z"));
    await refund(o5, "30.00", T("2024-03-21T08:00:00Z"));
    await refund(o1, "10.00", T("2024-01-11T08:00:00Z"), "pending");

    const challenge = async (userId: string) => {
      const [{ id }] = await tx<{ id: string }[]>`
        insert into challenges (user_id, plan_version_id, status, started_at)
        values (${userId}, ${a.version}, 'active', ${T("2023-12-01T00:00:00Z")}) returning id`;
      return id;
    };
    const account = async (
      userId: string,
      challengeId: string,
      stage: number | "funded",
      status: string,
      openedAt: Date,
    ) => {
      const funded = stage === "funded";
      const [{ id }] = await tx<{ id: string }[]>`
        insert into accounts (user_id, challenge_id, phase, type, status, currency, initial_balance, balance,
                              equity, plan_version_id)
        values (${userId}, ${challengeId}, ${funded ? null : stage}, ${funded ? "funded" : "challenge"},
                ${status}, 'USD', 10000, 10000, 10000, ${a.version})
        returning id`;
      await tx`insert into account_changes (account_id, state_version, at, kind, payload)
               values (${id}, 0, ${openedAt}, 'lifecycle', '{}')`;
      return id;
    };
    const breach = async (accountId: string, rule: string, action: string, at: Date) => {
      await tx`insert into breaches (account_id, rule, action, at, inputs_hash, evidence)
               values (${accountId}, ${rule}, ${action}, ${at}, 'h', '{}')`;
    };
    const event = async (accountId: string, at: Date) => {
      await tx`insert into account_events (account_id, event_id, type, at, payload, state_version)
               values (${accountId}, ${crypto.randomUUID()}, 'equity', ${at}, '{}', 1)`;
      // As the app's writers do with their events (migration 034).
      await tx`select note_trader_days(array[${accountId}]::uuid[], array[${at}]::timestamptz[])`;
    };
    const early = T("2023-12-01T00:00:00Z");

    // c1: phase 1 passed in January, phase 2 failed in February.
    const c1 = await challenge(u1);
    const a1 = await account(u1, c1, 1, "passed", early);
    const a1b = await account(u1, c1, 2, "failed", T("2024-01-20T10:00:00Z"));
    await breach(a1b, "daily_loss", "fail", T("2024-02-10T15:00:00Z"));
    // c2: a daily-loss pause, then phase 1 failed on max loss in January.
    const c2 = await challenge(u2);
    const a2 = await account(u2, c2, 1, "failed", early);
    await breach(a2, "daily_loss", "pause", T("2024-01-03T15:00:00Z"));
    await breach(a2, "max_loss", "fail", T("2024-01-05T15:00:00Z"));
    // c3: phase 1 passed at the first instant of February, phase 2 passed in March → funded opened in March.
    const c3 = await challenge(u3);
    const a3 = await account(u3, c3, 1, "passed", early);
    const a3b = await account(u3, c3, 2, "passed", T("2024-02-01T00:00:00Z"));
    const a3f = await account(u3, c3, "funded", "active", T("2024-03-10T00:00:00Z"));
    await breach(a3f, "time_limit", "fail", T("2024-04-01T00:00:00Z")); // first instant after the range
    // c4: phase 1 failed in the last second of March.
    const c4 = await challenge(u1);
    const a4 = await account(u1, c4, 1, "failed", early);
    await breach(a4, "max_loss", "fail", T("2024-03-31T23:59:59Z"));
    // c5: failed in February, reinstated since: a breach, but no ended phase.
    const c5 = await challenge(u2);
    const a5 = await account(u2, c5, 1, "active", early);
    await breach(a5, "daily_loss", "fail", T("2024-02-20T15:00:00Z"));
    // c6: phase 1 passed in March; phase 2 still running.
    const c6 = await challenge(u2);
    const a6 = await account(u2, c6, 1, "passed", early);
    await account(u2, c6, 2, "active", T("2024-03-15T10:00:00Z"));

    await event(a1, T("2024-01-15T10:00:00Z"));
    await event(a1, T("2024-01-16T10:00:00Z"));
    await event(a1b, T("2024-02-05T10:00:00Z"));
    await event(a2, T("2024-01-04T10:00:00Z"));
    await event(a6, T("2024-03-01T10:00:00Z"));
    await event(a3, T("2024-01-31T23:59:59.999Z"));
    await event(a3b, T("2024-02-01T00:00:00Z"));
    await event(a3f, T("2024-04-01T00:00:00Z"));

    const payout = async (p: {
      amount: string;
      share: string;
      status: string;
      requested: string;
      approved?: string;
      paid?: string;
      rejected?: string;
    }) => {
      await tx`
        insert into payouts (user_id, account_id, amount, currency, status, requested_at, processed_at,
                             trader_share, split_percent, approved_at, paid_at, rejected_at, reason, reference)
        values (${u3}, ${a3f}, ${p.amount}, 'USD', ${p.status}, ${T(p.requested)},
                ${p.status === "pending" ? null : T(p.paid ?? p.rejected ?? p.approved!)}, ${p.share}, 80,
                ${p.approved ? T(p.approved) : null}, ${p.paid ? T(p.paid) : null},
                ${p.rejected ? T(p.rejected) : null}, ${p.rejected ? "not eligible" : null},
                ${p.paid ? "wire-1" : null})`;
    };
    await payout({
      amount: "1000.00",
      share: "800.00",
      status: "paid",
      requested: "2024-01-20T00:00:00Z",
      approved: "2024-01-22T00:00:00Z",
      paid: "2024-02-02T00:00:00Z",
    });
    await payout({
      amount: "300.00",
      share: "240.00",
      status: "rejected",
      requested: "2024-03-05T00:00:00Z",
      rejected: "2024-03-06T00:00:00Z",
    });
    await payout({
      amount: "500.00",
      share: "400.00",
      status: "approved",
      requested: "2024-02-25T00:00:00Z",
      approved: "2024-03-01T00:00:00Z",
    });
    return { planA: a.id, planB: b.id, users: [u1, u2, u3] };
  });
}
