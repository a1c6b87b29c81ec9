/**
 * The demo-sync answer's `trading` directive with the trader's self-locks folded in (DESIGN §3.5, §4): while
 * a lock holds, an account the engine lets trade gets `allowed: false`, `reason: "self_locked"`, `until` and
 * the lock in words (`message`), on every batch (level-triggered, like the engine's pause).
 *
 * Unlike the engine's pause, a self-lock never asks to flatten (`closeAll` stays false): it stops new trades,
 * while the trader may still manage and close what is open.
 */
import type { Sql } from "../../db/client.ts";
import type { TradingDirective } from "../accounts/advance.ts";
import { tradingPermission } from "../venue/locks.ts";

export async function withSelfLocks(
  sql: Sql,
  accountId: string,
  directive: TradingDirective,
  now: Date,
): Promise<TradingDirective> {
  if (!directive.allowed) return directive;
  const permission = await tradingPermission(sql, accountId, now);
  if (permission.allowed) return directive;
  return {
    ...directive,
    allowed: false,
    reason: "self_locked",
    until: permission.until,
    message: permission.reason ?? undefined,
  };
}
