/**
 * The risk monitor's table and feed (breaches, pauses, staff actions), rendered the same on the server (a sorted table without JS) and
 * in the live island. Rows are accounts closest to a floor first; the level is said in words and a symbol,
 * the colour only repeats it.
 */
import { Flash } from "../../../components/live.tsx";
import { Bar, LEVELS, LevelTag } from "../../../components/limit_meter.tsx";
import { StatusBadge } from "../../../components/status_badge.tsx";
import { PNL_TEXT, pnlTone } from "../../../components/money.tsx";
import { formatDateTime, formatMoney, percent, signedMoney } from "../../../components/figures.ts";
import {
  type BreachItem,
  type FeedItem,
  type MonitorRow,
  riskLevel,
  RULE_WORDS,
  type StaffActionItem,
} from "../../../services/monitor/row.ts";
import { ScrollRegion } from "../../../components/scroll_region.tsx";

const STATUS = {
  active: { label: "Active", tone: "good" },
  paused: { label: "Paused", tone: "bad" },
} as const;

/** The share of a 10 % scale the distance fills: a full bar is 10 % or more of room. */
const barOf = (distance: string | null) => distance === null ? 100 : Math.max(0, Number(distance)) * 10;

export function MonitorTable(props: { rows: MonitorRow[]; timeZone: string }) {
  const when = (iso: string | null) => iso ? formatDateTime(new Date(iso), props.timeZone) : "no event yet";
  return (
    <ScrollRegion
      label="Accounts closest to a loss floor"
      class="max-h-[75vh] rounded-xl border border-line"
      both
    >
      <table class="w-full text-left text-sm tabular-nums" data-monitor-table>
        <caption class="sr-only">Active and paused accounts, closest to a loss floor first</caption>
        <thead class="sticky top-0 z-10 bg-raised text-xs uppercase tracking-wider text-muted">
          <tr>
            <th scope="col" class="px-3 py-2">Trader · plan</th>
            <th scope="col" class="px-3 py-2">Status · last event</th>
            <th scope="col" class="px-3 py-2 text-right">Equity</th>
            <th scope="col" class="px-3 py-2 text-right">Today</th>
            <th scope="col" class="px-3 py-2 text-right">To floor</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => {
            const level = riskLevel(r.distance);
            const status = STATUS[r.status as keyof typeof STATUS] ?? { label: r.status, tone: "neutral" };
            return (
              <tr
                key={r.id}
                class="border-t border-line align-top hover:bg-raised/60"
                data-row={r.id}
                data-level={level}
              >
                <td class="max-w-[15rem] px-3 py-2">
                  <a
                    class="link block truncate font-semibold"
                    href={`/admin/accounts/${r.id}`}
                    title={r.email}
                  >
                    {r.email}
                  </a>
                  <span class="block truncate text-xs text-muted">{r.plan ?? "Demo"} · {r.stage}</span>
                </td>
                <td class="px-3 py-2 whitespace-nowrap">
                  <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
                  <span class="mt-1 block text-xs text-muted">{when(r.lastEventAt)}</span>
                </td>
                <td class="px-3 py-2 text-right whitespace-nowrap">
                  <Flash value={r.equity}>{formatMoney(r.equity, r.currency)}</Flash>
                  <span class="block text-xs text-muted">of {formatMoney(r.initialBalance, r.currency)}</span>
                </td>
                <td
                  class={`px-3 py-2 text-right whitespace-nowrap ${PNL_TEXT[pnlTone(r.todayPnl)]}`}
                  data-figure="today"
                >
                  {signedMoney(r.todayPnl, r.currency)}
                </td>
                <td class="px-3 py-2 text-right whitespace-nowrap" data-figure="distance">
                  {r.distance === null ? <span class="text-muted">no floor</span> : (
                    <>
                      <span class={`font-semibold ${LEVELS[level].text}`}>{percent(r.distance)}</span>
                      <span class="text-xs text-muted">
                        {` · ${r.nearest === "daily_loss" ? "daily" : "max"}`}
                      </span>
                      <Bar percent={barOf(r.distance)} fill={LEVELS[level].bar} class="ml-auto mt-1 w-24" />
                      <span class="mt-0.5 block">
                        <LevelTag level={level} />
                      </span>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

/** The feed's words for a staff action (a reinstatement of a paused account is its resumption). */
function staffWords(item: StaffActionItem): { title: string; icon: string } {
  if (item.action === "paused") return { title: "Paused by staff", icon: "‖" };
  if (item.action === "closed") return { title: "Closed by staff", icon: "■" };
  return item.from === "failed"
    ? { title: "Reinstated by staff", icon: "↺" }
    : { title: "Resumed by staff", icon: "▶" };
}

/** Breaches and pauses the engine decided, and staff actions on accounts, newest first. */
export function MonitorFeed(props: { items: FeedItem[]; timeZone: string }) {
  return (
    <section aria-labelledby="feed-h" class="card p-4">
      <h2 id="feed-h" class="text-sm font-semibold uppercase tracking-wider text-muted">
        Breaches and staff actions
      </h2>
      {props.items.length === 0
        ? <p class="mt-3 text-sm text-muted">No breaches, pauses or staff actions recorded yet.</p>
        : (
          <ol class="mt-3 grid gap-3 text-sm sm:grid-cols-2 lg:grid-cols-3" data-feed>
            {props.items.map((item) =>
              item.kind === "breach"
                ? (
                  <BreachEntry
                    key={`${item.accountId}-${item.at}-${item.rule}`}
                    b={item}
                    timeZone={props.timeZone}
                  />
                )
                : (
                  <StaffEntry
                    key={`${item.accountId}-${item.at}-${item.action}`}
                    item={item}
                    timeZone={props.timeZone}
                  />
                )
            )}
          </ol>
        )}
    </section>
  );
}

function BreachEntry(props: { b: BreachItem; timeZone: string }) {
  const { b } = props;
  return (
    <li class="border-l-2 border-red-700/60 pl-3 dark:border-red-400/60" data-breach={b.accountId}>
      <p class="flex flex-wrap items-baseline gap-x-2">
        <span class="font-semibold text-red-700 dark:text-red-300">
          <span aria-hidden="true">✕</span> {RULE_WORDS[b.rule]} {b.action === "pause" ? "pause" : "breach"}
        </span>
        <span class="text-xs text-muted tabular-nums">{formatDateTime(new Date(b.at), props.timeZone)}</span>
      </p>
      <p class="break-all">{b.email || "—"}</p>
      <p class="text-xs text-muted tabular-nums">
        {b.rule !== "time_limit" && (
          <>
            {b.floor !== null && `Floor ${formatMoney(b.floor, b.currency)} · `}observed{" "}
            {formatMoney(b.observed, b.currency)} ·{" "}
          </>
        )}
        <a class="link" href={`/admin/accounts/${b.accountId}#breach`}>
          Evidence<span class="sr-only">of the breach of {b.email}</span>
        </a>
      </p>
    </li>
  );
}

function StaffEntry(props: { item: StaffActionItem; timeZone: string }) {
  const { item } = props;
  const words = staffWords(item);
  return (
    <li
      class="border-l-2 border-line pl-3"
      data-staff-action={item.action}
      data-account={item.accountId}
    >
      <p class="flex flex-wrap items-baseline gap-x-2">
        <span class="font-semibold">
          <span aria-hidden="true">{words.icon}</span> {words.title}
        </span>
        <span class="text-xs text-muted tabular-nums">
          {formatDateTime(new Date(item.at), props.timeZone)}
        </span>
      </p>
      <p class="break-all">{item.email || "—"}</p>
      <p class="text-xs text-muted">
        <span class="break-all">by {item.actor ?? "a former staff member"}</span> ·{" "}
        <a class="link" href={`/admin/accounts/${item.accountId}`}>
          Account<span class="sr-only">of {item.email}</span>
        </a>
      </p>
      {item.reason && <p class="mt-1 line-clamp-2 text-xs text-muted" title={item.reason}>{item.reason}</p>}
    </li>
  );
}
