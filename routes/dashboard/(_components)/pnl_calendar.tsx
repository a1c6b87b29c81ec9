import type { DayPnl } from "../../../services/trading/statistics.ts";
import { formatCompactSignedMoney, formatSignedMoney, pnlTone } from "../../../components/money.tsx";
import { fromMinor, toMinor } from "../../../services/money.ts";

const WEEKDAY_HEADS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Cell backgrounds by tone and strength (3 steps of |P&L| against the month's largest), light and dark. */
const SHADES = {
  gain: [
    "bg-emerald-50 dark:bg-emerald-950",
    "bg-emerald-100 dark:bg-emerald-900",
    "bg-emerald-200 dark:bg-emerald-800",
  ],
  loss: ["bg-red-50 dark:bg-red-950", "bg-red-100 dark:bg-red-900", "bg-red-200 dark:bg-red-800"],
  flat: ["bg-raised", "bg-raised", "bg-raised"],
} as const;

/** "2026-06" → the month's name, its days and the weekday (Monday = 0) of its first day. */
function monthGrid(month: string): { title: string; days: number; offset: number } {
  const [y, m] = month.split("-").map(Number);
  const first = new Date(Date.UTC(y, m - 1, 1));
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const title = first.toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
  return { title, days, offset: (first.getUTCDay() + 6) % 7 };
}

/** The month before or after "YYYY-MM". */
export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * The daily P&L calendar (DESIGN §3.1 `dailyPnl`, the plan's trading days): a month grid, each traded day
 * coloured by its P&L and with the figure written in it (colour is never the only signal), a legend, and
 * month navigation by plain links — no script.
 */
export function PnlCalendar(props: {
  month: string;
  days: readonly DayPnl[];
  currency: string;
  /** Link to another month ("YYYY-MM"). */
  hrefFor: (month: string) => string;
}) {
  const { title, days, offset } = monthGrid(props.month);
  const byDay = new Map(props.days.map((d) => [d.day, d]));
  const inMonth = props.days.filter((d) => d.day.startsWith(props.month));
  // Strength against the month's largest day of the same sign: a small loss next to a big win still shows.
  const abs = (v: bigint) => (v < 0n ? -v : v);
  const largest = { gain: 0n, loss: 0n, flat: 0n };
  for (const d of inMonth) {
    const tone = pnlTone(d.pnl);
    const v = abs(toMinor(d.pnl));
    if (v > largest[tone]) largest[tone] = v;
  }
  const strength = (pnl: string) => {
    const top = largest[pnlTone(pnl)];
    if (top === 0n) return 0;
    const ratio = Number((abs(toMinor(pnl)) * 100n) / top);
    return ratio > 66 ? 2 : ratio > 33 ? 1 : 0;
  };
  const net = inMonth.reduce((s, d) => s + toMinor(d.pnl), 0n);
  const cells: (number | null)[] = [
    ...Array(offset).fill(null),
    ...Array.from({ length: days }, (_, i) => i + 1),
  ];
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));

  return (
    <section aria-labelledby="calendar-h" class="mt-10">
      <div class="flex flex-wrap items-baseline justify-between gap-3">
        <h2 id="calendar-h" class="text-xl font-bold tracking-tight">Daily P&L · {title}</h2>
        <nav aria-label="Month" class="flex gap-4 text-sm font-medium">
          <a class="link" href={props.hrefFor(shiftMonth(props.month, -1))}>← Previous month</a>
          <a class="link" href={props.hrefFor(shiftMonth(props.month, 1))}>Next month →</a>
        </nav>
      </div>
      <p class="mt-1 text-sm text-muted">
        {inMonth.length === 0
          ? "No closed trades this month."
          : `${inMonth.length} trading ${inMonth.length === 1 ? "day" : "days"} with closed trades, net `}
        {inMonth.length > 0 && (
          <strong class="tabular-nums">{formatSignedMoney(fromMinor(net), props.currency)}</strong>
        )}
      </p>
      <table class="mt-3 w-full table-fixed border-separate border-spacing-0.5 text-xs sm:border-spacing-1 sm:text-sm">
        <caption class="sr-only">Realized P&L per trading day in {title}</caption>
        <thead>
          <tr>
            {WEEKDAY_HEADS.map((d) => <th key={d} scope="col" class="py-1 font-medium text-muted">{d}</th>)}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week, w) => (
            <tr key={w}>
              {week.map((n, i) => {
                if (n === null) return <td key={i} />;
                const key = `${props.month}-${String(n).padStart(2, "0")}`;
                const day = byDay.get(key);
                const tone = day ? pnlTone(day.pnl) : "flat";
                const shade = day ? SHADES[tone][strength(day.pnl)] : "";
                return (
                  <td
                    key={i}
                    class={`h-14 rounded-md border border-line p-0.5 align-top text-[11px] sm:h-20 sm:p-2 sm:text-sm ${shade}`}
                    data-day={key}
                  >
                    <span class="block tabular-nums opacity-90">{n}</span>
                    {day && (
                      <>
                        <span
                          class="mt-0.5 block truncate font-semibold tabular-nums"
                          title={`${formatSignedMoney(day.pnl, props.currency)} · ${day.trades} trades`}
                        >
                          <span aria-hidden="true" class="max-sm:hidden">
                            {tone === "gain" ? "▲ " : tone === "loss" ? "▼ " : "■ "}
                          </span>
                          <span class="sm:hidden">{formatCompactSignedMoney(day.pnl, props.currency)}</span>
                          <span class="max-sm:hidden">{formatSignedMoney(day.pnl, props.currency)}</span>
                        </span>
                        <span class="hidden sm:block">
                          {day.trades} {day.trades === 1 ? "trade" : "trades"}
                        </span>
                      </>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <ul class="mt-3 flex flex-wrap gap-x-5 gap-y-2 text-xs text-muted" aria-label="Legend">
        <li class="flex items-center gap-2">
          <span class="flex" aria-hidden="true">
            {SHADES.loss.toReversed().map((c) => <span key={c} class={`h-3 w-4 border border-line ${c}`} />)}
          </span>
          ▼ Loss day (stronger colour = larger)
        </li>
        <li class="flex items-center gap-2">
          <span class={`h-3 w-4 border border-line ${SHADES.flat[0]}`} aria-hidden="true" />■ Breakeven
        </li>
        <li class="flex items-center gap-2">
          <span class="flex" aria-hidden="true">
            {SHADES.gain.map((c) => <span key={c} class={`h-3 w-4 border border-line ${c}`} />)}
          </span>
          ▲ Winning day (stronger colour = larger)
        </li>
        <li>Blank: no closed trade. Days are your plan's trading days.</li>
      </ul>
    </section>
  );
}
