import type { AccountMeters } from "../../../services/accounts/overview_json.ts";
import { GoalMeter, LimitMeter } from "../../../components/limit_meter.tsx";
import { countdown, formatMoney, percent, signedMoney } from "../../../components/figures.ts";
import { Flash } from "../../../components/live.tsx";
import { Day } from "../../../components/date_time.tsx";
import type { Formatters } from "./objectives.tsx";

const MODE_WORDS = {
  static: "Static: this floor never moves.",
  trailing_intraday: "Trailing: rises with your highest equity, open profit included; never falls.",
  trailing_eod: "Trailing: rises with your highest end-of-day balance at each reset; never falls.",
} as const;

/**
 * The account's meters (services/accounts/meters.ts): the two loss limits as "room left" meters, then the
 * goals. Browser-safe: the live island renders it with fresh figures after every change.
 *
 * @param now epoch ms for the reset countdown.
 * @param failed the account failed: goals not met read "not reached".
 */
export function AccountMeterGrid(
  props: { meters: AccountMeters; currency: string; f: Formatters; now: number; failed: boolean },
) {
  const { meters: m, currency, f } = props;
  const money = (a: string) => formatMoney(a, currency);
  const goal = (met: boolean): "met" | "not_reached" | "progress" =>
    met ? "met" : props.failed ? "not_reached" : "progress";
  return (
    <div class="grid gap-4 md:grid-cols-2">
      {m.dailyLoss && (
        <LimitMeter
          id="meter-daily"
          title="Daily loss limit"
          level={m.dailyLoss.level}
          headline={<Flash value={m.dailyLoss.left}>{money(m.dailyLoss.left)} left</Flash>}
          share={`${percent(m.dailyLoss.leftPercent)} of ${money(m.dailyLoss.limit)}`}
          usedPercent={m.dailyLoss.usedPercent}
          label={`${percent(m.dailyLoss.usedPercent)} of the daily loss limit used`}
        >
          <p>
            Floor <b class="text-ink tabular-nums">{money(m.dailyLoss.floor)}</b> · {m.dailyLoss.basis} now
            {" "}
            <span class="tabular-nums">{money(m.dailyLoss.current)}</span>
          </p>
          <p>
            {m.dailyLoss.method}: {m.dailyLoss.anchor.words} was{" "}
            <span class="tabular-nums">{money(m.dailyLoss.anchor.value)}</span> at today's reset.{" "}
            {m.dailyLoss.action === "pause"
              ? "Going below pauses trading until the next reset."
              : "Going below fails the account."}
          </p>
          {!props.failed && (
            <p>
              Resets in{" "}
              <b class="text-ink tabular-nums" data-figure="reset-countdown">
                {countdown(Date.parse(m.dailyLoss.resetsAt) - props.now)}
              </b>{" "}
              — {f.time(m.dailyLoss.resetsAt)} (the plan resets at {m.dailyLoss.resetTime},{" "}
              {m.dailyLoss.resetZone} time).
            </p>
          )}
        </LimitMeter>
      )}
      {m.maxLoss && (
        <LimitMeter
          id="meter-max"
          title="Maximum loss limit"
          level={m.maxLoss.level}
          headline={<Flash value={m.maxLoss.left}>{money(m.maxLoss.left)} left</Flash>}
          share={`${percent(m.maxLoss.leftPercent)} of ${money(m.maxLoss.limit)}`}
          usedPercent={m.maxLoss.usedPercent}
          label={`${percent(m.maxLoss.usedPercent)} of the maximum loss limit used`}
        >
          <p>
            Floor <b class="text-ink tabular-nums">{money(m.maxLoss.floor)}</b> · equity now{" "}
            <span class="tabular-nums">{money(m.maxLoss.current)}</span>
          </p>
          <p>{MODE_WORDS[m.maxLoss.mode]} {m.maxLoss.method}.</p>
          {m.maxLoss.mode !== "static" && (
            <p>
              High-water mark <span class="tabular-nums">{money(m.maxLoss.highWater)}</span>
              {m.maxLoss.lockLevel &&
                (m.maxLoss.locked
                  ? ` · locked at ${money(m.maxLoss.lockLevel)}: the floor stopped rising.`
                  : ` · stops rising at ${money(m.maxLoss.lockLevel)}.`)}
            </p>
          )}
        </LimitMeter>
      )}
      {m.profitTarget && (
        <GoalMeter
          title="Profit target"
          status={goal(m.profitTarget.met)}
          headline={
            <Flash value={m.profitTarget.left}>
              {m.profitTarget.met ? "Reached" : `${money(m.profitTarget.left)} to go`}
            </Flash>
          }
          share={`${percent(m.profitTarget.donePercent)} of ${money(m.profitTarget.target)}`}
          donePercent={m.profitTarget.donePercent}
          label={`${percent(m.profitTarget.donePercent)} of the profit target reached`}
        >
          <p>
            Profit <span class="tabular-nums">{signedMoney(m.profitTarget.profit, currency)}</span>{" "}
            · target balance <span class="tabular-nums">{money(m.profitTarget.targetBalance)}</span>{" "}
            {/* A condition of the target, not a description of now (it read "all positions closed (2 open)"). */}
            with no position open
            {m.profitTarget.openPositions > 0 && ` (${m.profitTarget.openPositions} open now)`}.
          </p>
        </GoalMeter>
      )}
      {m.consistency && (
        <GoalMeter
          title="Best-day consistency"
          status={goal(m.consistency.holds)}
          headline={m.consistency.holds
            ? "Holds"
            : m.consistency.sharePercent === null
            ? "No profit yet"
            : <Flash value={m.consistency.needed}>{money(m.consistency.needed)} more profit needed</Flash>}
          share={m.consistency.sharePercent === null
            ? `best day ≤ ${percent(m.consistency.maxPercent)} of profit`
            : `best day ${percent(m.consistency.sharePercent)} of profit, max ${
              percent(m.consistency.maxPercent)
            }`}
          donePercent={consistencyDone(m.consistency.sharePercent, m.consistency.maxPercent)}
          label={`Best day is ${
            m.consistency.sharePercent === null ? "not yet set" : percent(m.consistency.sharePercent)
          } of total profit; at most ${percent(m.consistency.maxPercent)} allowed`}
        >
          <p>
            Best day <span class="tabular-nums">{signedMoney(m.consistency.bestDay, currency)}</span>
            {m.consistency.bestDayKey && (
              <>
                {" ("}
                <Day day={m.consistency.bestDayKey} />)
              </>
            )} of <span class="tabular-nums">{signedMoney(m.consistency.totalProfit, currency)}</span>{" "}
            total. This only delays a pass; it never fails the account.
          </p>
        </GoalMeter>
      )}
      {m.tradingDays && (
        <GoalMeter
          title="Trading days"
          status={goal(m.tradingDays.left === 0)}
          headline={
            <Flash value={String(m.tradingDays.current)}>
              {m.tradingDays.current} of {m.tradingDays.required}
            </Flash>
          }
          share={m.tradingDays.left === 0 ? "enough days" : `${m.tradingDays.left} more needed`}
          donePercent={String(Math.min(100, (m.tradingDays.current / m.tradingDays.required) * 100))}
          label={`${m.tradingDays.current} of ${m.tradingDays.required} trading days`}
        >
          <p>
            A day counts when you open at least one trade in it (trading day <Day day={m.tradingDay} />).
          </p>
        </GoalMeter>
      )}
    </div>
  );
}

/** How close the best day is to fitting: 100 % when it holds, else maxPercent / share (both ≤ 100). */
function consistencyDone(share: string | null, max: string): string {
  if (share === null) return "0";
  const s = Number(share);
  return s <= Number(max) ? "100" : String((Number(max) / s) * 100);
}
