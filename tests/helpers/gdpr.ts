/**
 * A trader with something of everything the export and erasure handle, arranged through the real paths where
 * they are cheap (sign-up, KYC upload, sync with a breach) and by SQL where volume matters (bulk trades).
 */
import type { TestApp } from "./app.ts";
import { type SignedIn, signUp, type TestClient } from "./client.ts";
import { openTestAccount } from "./accounts.ts";
import { pngBytes, uploadDocument } from "./kyc.ts";
import { sync } from "./sync.ts";
import { applySync } from "../../services/accounts/sync.ts";
import type { NamedPlatform } from "../../services/accounts/trade_platform.ts";
import { addNotification } from "../../services/notifications/store.ts";

export interface RichTrader extends SignedIn {
  client: TestClient;
  firstName: string;
  lastName: string;
  accountId: string;
  /** Marks this trader's rows: the bulk trades' symbol and external ids carry it. */
  marker: string;
}

/** A trader with an account (a breach included), `trades` extra closed trades, an order, a paid payout, a KYC
 * document, a notification and a mail preference. `platform`: the one its connector names in its batch. */
export async function richTrader(
  t: TestApp,
  opts: { trades?: number; platform?: NamedPlatform } = {},
): Promise<RichTrader> {
  const marker = crypto.randomUUID().slice(0, 8).toUpperCase();
  const firstName = `Zebulon${marker}`;
  const lastName = `Quixote${marker}`;
  const trader = await signUp(t.app, { firstName, lastName });
  const { db } = t.deps;
  const { accountId, planVersionId } = await openTestAccount(db, trader.userId, {
    at: new Date(Date.now() - 3_600_000),
  });
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  // A loss past the 5 % daily limit: the engine fails the account and records a breach with its evidence.
  await applySync(
    t.deps,
    accountId,
    [sync.open("big", at(30)), sync.close("big", "-6000.00", at(20))],
    new Date(),
    opts.platform,
  );
  const n = opts.trades ?? 0;
  if (n > 0) {
    await db.sql`
      insert into trades (account_id, external_id, symbol, direction, volume, entry_price, exit_price, pnl, status,
                          opened_at, closed_at)
      select ${accountId}, ${marker} || '-' || i, 'X' || ${marker}, 'buy', 1, 1.1, 1.2, (i % 7) - 3, 'closed',
             now() - interval '1 hour' + i * interval '1 ms', now() - interval '1 hour' + i * interval '1 ms'
      from generate_series(1, ${n}) i`;
  }
  await db.sql`
    insert into orders (user_id, plan_version_id, currency, list_price, discount, amount, status, provider, paid_at)
    values (${trader.userId}, ${planVersionId}, 'USD', 540.00, 40.00, 500.00, 'paid', 'demo', now())`;
  await db.sql`
    insert into payouts (user_id, account_id, amount, currency, status, processed_at, trader_share, split_percent,
                         paid_at, reference)
    values (${trader.userId}, ${accountId}, 1000.00, 'USD', 'paid', now(), 800.00, 80, now(), ${
    "REF-" + marker
  })`;
  const upload = await uploadDocument(
    trader.client,
    trader.accessToken,
    "identity_front",
    new File([pngBytes()], `passport-${lastName}.png`),
  );
  if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  await db.tx((tx) =>
    addNotification(tx, {
      userId: trader.userId,
      type: "breach",
      accountId,
      dedupeKey: `gdpr:${marker}`,
      title: `Dear ${firstName}, your account failed`,
      body: `Breach on ${accountId}`,
    })
  );
  await db
    .sql`insert into notification_preferences (user_id, type, email) values (${trader.userId}, 'pause', false)`;
  return { ...trader, firstName, lastName, accountId, marker };
}
