/**
 * One trade source per account (issue #14, DESIGN §3.5): the built-in venue or an outside platform's
 * connector, fixed by the account's first trade (`accounts.trade_source`, migration 033), as prop firms tie an
 * account to one platform. Both feed the same engine state, and neither knows the other's positions — the
 * venue marks equity as balance + its own positions, a connector reports the platform's equity — so an account
 * fed by both would be judged on whichever wrote last.
 *
 * Who sets it, atomically with the first trade: the venue's first fill (services/venue/fill.ts, under the
 * account's row lock) and demo-sync's first accepted batch (services/accounts/sync.ts: the compare-and-set
 * write of the fast path, or the locked transaction). Once set it never changes. A connector's account also
 * keeps the platform its connector names (services/accounts/trade_platform.ts).
 */
import type { Sql, Tx } from "../../db/client.ts";
import { HttpError } from "../../lib/errors.ts";
import { isUuid } from "../../lib/validation.ts";
import type { TradeSource } from "../venue/trade_json.ts";
import { platformOf, type PlatformStep, type TradePlatform } from "./trade_platform.ts";

export type { TradePlatform, TradeSource };

/** The 409 demo-sync answers for an account the built-in venue trades (nothing of the batch is applied). */
export class AccountOnVenue extends HttpError {
  constructor() {
    super(
      409,
      "account_on_venue",
      "This account is traded on the built-in venue (its first trade was made there); a connector's " +
        "events are not accepted for it. Connect your platform to an account that has no trades yet.",
      { accountId: "is traded on the built-in venue" },
    );
  }
}

/** The venue's sentence for an account a connector trades (VenueRefusal `platform`), platform unnamed. */
export const ON_PLATFORM =
  "This account is traded through your platform's connector; the built-in venue can't trade it.";

/**
 * The venue's sentence for an account a connector trades, naming its platform when the connector named one
 * ("…through its MetaTrader 5 connector…"). The name is connector-supplied text: a plain string here, escaped
 * where it is shown (JSX does).
 */
export function onPlatform(platformName: string | null | undefined): string {
  if (!platformName) return ON_PLATFORM;
  return `This account is traded through its ${platformName} connector; the built-in venue can't trade it.`;
}

/** Who trades an account: its source and, on a connector's account, the platform its connector named. */
export interface TradeOrigin {
  /** Null: no trade yet (or no such account). */
  source: TradeSource | null;
  /** Null: not a connector's account, or its connector never named the platform. */
  platform: TradePlatform | null;
}

/** The account's trade source and platform. The caller has checked access. */
export async function tradeOriginOf(sql: Sql, accountId: string): Promise<TradeOrigin> {
  if (!isUuid(accountId)) return { source: null, platform: null };
  const [row] = await sql<
    {
      trade_source: TradeSource | null;
      trade_platform: string | null;
      trade_platform_version: string | null;
    }[]
  >`select trade_source, trade_platform, trade_platform_version from accounts where id = ${accountId}`;
  return { source: row?.trade_source ?? null, platform: row ? platformOf(row) : null };
}

/** The platform an account stores (null: none named, or no such account); in a transaction, after its lock. */
export async function storedPlatform(tx: Tx, accountId: string): Promise<TradePlatform | null> {
  const [row] = await tx<{ trade_platform: string | null; trade_platform_version: string | null }[]>`
    select trade_platform, trade_platform_version from accounts where id = ${accountId}`;
  return row ? platformOf(row) : null;
}

/**
 * demo-sync's transaction, after its batch, under the account's row lock: the first accepted batch makes the
 * account the connector's, and the platform the batch named (`step`, services/accounts/trade_platform.ts) is
 * written with it, or onto an account that is the connector's already — never onto another one's.
 */
export async function claimForConnector(
  tx: Tx,
  account: { id: string; trade_source: TradeSource | null },
  accepted: number,
  step: PlatformStep,
): Promise<void> {
  const claim = account.trade_source === null && accepted > 0;
  const named = step.kind === "write" && (claim || account.trade_source === "connector")
    ? step.platform
    : null;
  if (named) {
    await tx`update accounts set trade_source = coalesce(trade_source, 'connector'),
      trade_platform = ${named.name}, trade_platform_version = ${named.version} where id = ${account.id}`;
  } else if (claim) {
    await tx`update accounts set trade_source = 'connector' where id = ${account.id} and trade_source is null`;
  }
}
