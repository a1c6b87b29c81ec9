/**
 * Which outside platform trades a connector's account (MetaTrader 5, cTrader, DXtrade, Match-Trader,
 * TradeLocker, NinjaTrader…): the connector names it in its demo-sync batches, `platform: {name, version?}`
 * (optional, so connectors that never named one keep working), and the account stores it beside its trade
 * source (`accounts.trade_platform`, `trade_platform_version`, migration 035) for the trader's account page,
 * the account APIs and the back office.
 *
 * Rules (the one trade source of services/accounts/trade_source.ts, extended to the platform):
 * - Recorded only on a connector's account: with the batch that claims it (the first accepted batch, in the
 *   same write), or by any later batch when the account's connector had not named one yet. A batch for a
 *   venue's account is refused before its platform is looked at; the platform never sets or changes the source.
 * - **The name is fixed** once recorded: a batch naming another platform (compared without regard to case) is
 *   a 409 `account_on_other_platform` and nothing of it is applied — two platforms feeding one account would
 *   each judge it on its own positions, the very thing one trade source prevents.
 * - **The version follows** the connector: a batch naming another version replaces it (platforms and their
 *   connectors are upgraded under a live account; staff diagnosing it want the build in use now). A batch
 *   without a version, or without `platform`, leaves what is stored.
 * - It is connector-supplied text: one printable line, bounded, and escaped wherever it is shown (JSX does).
 */
import { z } from "zod";
import { singleLine } from "../../lib/text.ts";
import { HttpError } from "../../lib/errors.ts";

/** The platform as stored and shown: `version` null when the connector never named one. */
export interface TradePlatform {
  name: string;
  version: string | null;
}

/** Longest platform name and version accepted ("Match-Trader", "5.0.4200 build 4200"…, with room to spare). */
export const MAX_PLATFORM_NAME = 64;
export const MAX_PLATFORM_VERSION = 32;

/**
 * Format characters (bidi overrides, zero-width joiners), private-use characters and the Unicode line and
 * paragraph separators: invisible or misleading in a label staff read to tell platforms apart.
 */
const INVISIBLE = /[\p{Cf}\p{Co}\p{Zl}\p{Zp}]/u;
const INVISIBLE_MESSAGE = "must be printable text (no invisible or formatting characters)";

const label = (max: number) =>
  singleLine().trim().min(1, "must not be empty").max(max, `at most ${max} characters`)
    .refine((v) => !INVISIBLE.test(v), INVISIBLE_MESSAGE);

/** demo-sync's `platform` field (validated with the rest of the batch, before anything is applied). */
export const platformSchema = z.object({
  name: label(MAX_PLATFORM_NAME).describe(
    'The platform\'s name as the trader knows it, e.g. "MetaTrader 5".',
  ),
  version: label(MAX_PLATFORM_VERSION).optional().describe(
    "The platform's (or its connector's) version, e.g. \"5.0.4200\".",
  ),
}).strict();

export type NamedPlatform = z.infer<typeof platformSchema>;

/** What a batch naming `named` does to the stored platform (`stored` null: none recorded yet). */
export type PlatformStep =
  | { kind: "keep" }
  | { kind: "write"; platform: TradePlatform }
  | { kind: "conflict"; stored: TradePlatform };

/** The rules of the module notes, without I/O: the caller has checked the account is not the venue's. */
export function platformStep(stored: TradePlatform | null, named: NamedPlatform | undefined): PlatformStep {
  if (!named) return { kind: "keep" };
  if (!stored) return { kind: "write", platform: { name: named.name, version: named.version ?? null } };
  if (stored.name.toLowerCase() !== named.name.toLowerCase()) return { kind: "conflict", stored };
  if (named.version === undefined || named.version === stored.version) return { kind: "keep" };
  return { kind: "write", platform: { name: stored.name, version: named.version } };
}

/** The stored columns as a `TradePlatform` (null when none was named). */
export function platformOf(
  row: { trade_platform: string | null; trade_platform_version: string | null },
): TradePlatform | null {
  return row.trade_platform === null
    ? null
    : { name: row.trade_platform, version: row.trade_platform_version };
}

/** The 409 demo-sync answers for a batch naming another platform than the account's (nothing is applied). */
export class AccountOnOtherPlatform extends HttpError {
  constructor(stored: TradePlatform) {
    super(
      409,
      "account_on_other_platform",
      `This account is traded on ${stored.name} (its connector named it first); events from another ` +
        "platform are not accepted for it. Connect that platform to an account that has no trades yet.",
      { "platform.name": `is not the account's platform (${stored.name})` },
    );
  }
}
