/**
 * What a trader's self-locks say now: whether one holds, which and until when, and today's figures against
 * each limit. The trader's self-locks page shows it to them; the staff account page shows it about them.
 */
import { DateTime, Day } from "./date_time.tsx";
import { StatusBadge } from "./status_badge.tsx";
import { Bar, LEVELS } from "./limit_meter.tsx";
import { levelOf } from "../services/accounts/meters.ts";
import type { MeterLevel } from "../services/accounts/overview_json.ts";
import { toMinor } from "../services/money.ts";
import { formatAmount } from "./money.tsx";
import type { SelfLocksJson } from "../services/self_locks/json.ts";

const KIND_LABEL = { daily_loss: "Daily loss limit", max_trades: "Max trades per day", cooldown: "Cooldown" };

/** Whether a lock holds now, which, and until when. */
/** `staff`: the same facts as staff read them on the trader's account (about the trader, not to them). */
export function LockState(props: { locks: SelfLocksJson; timeZone: string; staff?: boolean }) {
  const { trading, locks } = props.locks;
  return (
    <section aria-labelledby="now-h" class="card space-y-3">
      <div class="flex flex-wrap items-center justify-between gap-2">
        <h2 id="now-h" class="text-lg font-semibold">{props.staff ? "Self-locks" : "Right now"}</h2>
        {trading.allowed
          ? <StatusBadge tone="good">✓ Trading allowed</StatusBadge>
          : <StatusBadge tone="bad">✕ Locked</StatusBadge>}
      </div>
      {trading.allowed
        ? (
          <p class="text-sm text-muted">
            No self-lock holds: {props.staff ? "the trader" : "you"} may open trades.
          </p>
        )
        : (
          <>
            <p class="text-sm">
              New trades are refused until{" "}
              <strong>{trading.until && <DateTime at={trading.until} zone={props.timeZone} />}</strong>. Open
              positions can still be managed and closed.
            </p>
            <ul class="space-y-2" aria-label="Locks that hold">
              {locks.map((l) => (
                <li key={l.kind} class="rounded-lg border border-line px-3 py-2 text-sm">
                  <p class="font-semibold">{KIND_LABEL[l.kind]}</p>
                  <p class="text-muted">{l.reason}</p>
                  <p class="mt-1 tabular-nums">
                    Lifts <DateTime at={l.until} zone={props.timeZone} />
                  </p>
                </li>
              ))}
            </ul>
          </>
        )}
    </section>
  );
}

/** Words and colours of a usage row: the word and symbol carry the meaning, the colour repeats it. */
const USAGE_WORDS: Record<MeterLevel, string> = {
  ok: "Room left",
  caution: "Over half used",
  danger: "Close to the limit",
  breached: "Locked",
};

/** One limit against today's figure: the figure, the limit, a bar with the 50 % and 80 % ticks, the level. */
function UsageRow(
  props: {
    label: string;
    figure: string;
    limit: string | null;
    used: bigint;
    of: bigint | null;
    holds: boolean;
  },
) {
  const level = props.of === null ? null : levelOf(props.used < 0n ? 0n : props.used, props.of, props.holds);
  const percent = props.of === null || props.of === 0n ? 0 : Number((props.used * 100n) / props.of);
  return (
    // One group per row with its dt and dd as direct children (a div inside the group is not a valid <dl>:
    // axe fails it); the bar's dd takes a line of its own.
    <div class="flex flex-wrap items-baseline justify-between gap-x-3 py-3">
      <dt class="text-sm font-medium">{props.label}</dt>
      <dd class="tabular-nums">
        <span class="text-lg font-semibold">{props.figure}</span>
        <span class="text-sm text-muted">{props.limit === null ? " · off" : ` of ${props.limit}`}</span>
      </dd>
      {level && (
        <dd class="mt-2 basis-full">
          <Bar percent={percent} fill={LEVELS[level].bar} ticks />
          <p class={`mt-1 text-xs font-semibold ${LEVELS[level].text}`}>
            <span aria-hidden="true">{LEVELS[level].icon}</span> {USAGE_WORDS[level]}
          </p>
        </dd>
      )}
    </div>
  );
}

/** Today's figures the locks are judged on, against each limit. */
export function TodayFigures(props: { locks: SelfLocksJson; timeZone: string; staff?: boolean }) {
  const { usage, settings, currency, tradingDay, locks } = props.locks;
  const holds = (kind: string) => locks.some((l) => l.kind === kind);
  const loss = usage.worstLossToday.startsWith("-") ? "0.00" : usage.worstLossToday;
  const n = settings.cooldownLosses;
  // Toward the next cooldown: the streak counts afresh after each one (services/self_locks/status.ts).
  const towardCooldown = n === null ? usage.losingStreak : holds("cooldown") ? n : usage.losingStreak % n;
  return (
    <section aria-labelledby="today-h" class="card">
      <h2 id="today-h" class="text-lg font-semibold">Today</h2>
      <p class="mt-1 text-sm text-muted">
        Trading day <Day day={tradingDay.key} />; next reset{" "}
        <DateTime at={tradingDay.closesAt} zone={props.timeZone} /> ({tradingDay.resetTime}{" "}
        {tradingDay.timeZone}).
      </p>
      <dl
        class="mt-2 divide-y divide-line"
        aria-label={props.staff ? "Today against the trader's limits" : "Today against your limits"}
      >
        <UsageRow
          label="Worst loss today"
          figure={formatAmount(loss, currency)}
          limit={settings.dailyLossLimit && formatAmount(settings.dailyLossLimit, currency)}
          used={toMinor(loss)}
          of={settings.dailyLossLimit === null ? null : toMinor(settings.dailyLossLimit)}
          holds={holds("daily_loss")}
        />
        <UsageRow
          label="Trades opened"
          figure={String(usage.tradesToday)}
          limit={settings.maxTradesPerDay === null ? null : String(settings.maxTradesPerDay)}
          used={BigInt(usage.tradesToday)}
          of={settings.maxTradesPerDay === null ? null : BigInt(settings.maxTradesPerDay)}
          holds={holds("max_trades")}
        />
        <UsageRow
          label={n === null ? "Losses in a row" : "Losses toward a cooldown"}
          figure={String(towardCooldown)}
          limit={n === null ? null : `${n} (cooldown)`}
          used={BigInt(towardCooldown)}
          of={n === null ? null : BigInt(n)}
          holds={holds("cooldown")}
        />
      </dl>
    </section>
  );
}
