import { useEffect, useRef, useState } from "preact/hooks";
import { chartTheme, onSchemeChange, themeOptions } from "../components/chart_theme.ts";
import { connection, connectUserStream, lastFrameAt, onAccountChange } from "./live/user_stream.ts";
import { LiveMarker, useNow } from "../components/live.tsx";
import { isEnded } from "../components/status_badge.tsx";
import { ChartFrame, type ChartRange, RANGES } from "../components/chart_frame.tsx";
import { formatDateTime, formatMoney } from "../components/figures.ts";
import type { UTCTimestamp } from "../components/chart_lib.ts";

/** One point of `GET /api/accounts/:id/equity` (contract B): money as decimal strings. */
export interface EquityPoint {
  time: string;
  balance: string;
  equity: string;
  dailyFloor: string | null;
  maxFloor: string | null;
}
/** A payout's money moving (contract B's `withdrawals`): drawn apart from breaches, never as a loss. */
interface WithdrawalMark {
  at: string;
  type: "withdrawal" | "withdrawal_reversal";
  amount: string;
  balance: string | null;
}
interface EquityHistory {
  points: EquityPoint[];
  breaches: { at: string; rule: string; equity: string }[];
  withdrawals: WithdrawalMark[];
}

/** Colours that stay apart for colour-blind readers; each line also has its own style (solid, steps, dashes). */
const COLORS = {
  equity: "#0e7a5f",
  balance: "#2563eb",
  daily: "#b45309",
  max: "#b91c1c",
  withdrawal: "#7c3aed",
};

/**
 * The equity and balance chart of one account (TradingView lightweight-charts, loaded only by this island):
 * history from the equity API, then a point per change frame of the user stream, the daily and max-loss
 * floors as step lines, breaches as markers. Plotting takes numbers: the figures are display-only here, the
 * money itself stays decimal strings everywhere else.
 */
export default function EquityChart(
  props: {
    accountId: string;
    currency: string;
    timeZone: string;
    start: EquityPoint;
    /** The account's status when the page was made; change frames update it (a breach ends it live). */
    status: string;
  },
) {
  const box = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState<ChartRange>("all");
  const [points, setPoints] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const [withdrawals, setWithdrawals] = useState(0);
  const [latest, setLatest] = useState<EquityPoint | null>(null);
  const [freshAt, setFreshAt] = useState<number | null>(null);
  const [status, setStatus] = useState(props.status);
  const now = useNow();
  const reloadRef = useRef<(r: ChartRange) => Promise<void>>();
  const rangeRef = useRef<ChartRange>("all");

  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    (async () => {
      const lib = await import("../components/chart_lib.ts");
      if (disposed || !box.current) return;
      const theme = chartTheme();
      const chart = lib.createChart(box.current, {
        autoSize: true,
        ...themeOptions(theme),
        layout: {
          ...themeOptions(theme).layout,
          background: { color: "transparent" },
          // The library's logo injects an inline <style>, which the page's CSP refuses; the frame credits
          // TradingView in text instead (what the library's licence asks for).
          attributionLogo: false,
        },
        rightPriceScale: { borderVisible: false },
        timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false },
        localization: {
          // The viewer's zone, in the one date format of the site.
          timeFormatter: (t: number) => formatDateTime(new Date(t * 1000), props.timeZone),
          priceFormatter: (p: number) => formatMoney(p.toFixed(2), props.currency),
        },
      });
      const step = { lineType: lib.LineType.WithSteps, lineWidth: 1 as const, priceLineVisible: false };
      const series = {
        equity: chart.addSeries(lib.LineSeries, { color: COLORS.equity, lineWidth: 2, title: "Equity" }),
        balance: chart.addSeries(lib.LineSeries, { ...step, color: COLORS.balance, lineWidth: 2 }),
        daily: chart.addSeries(lib.LineSeries, {
          ...step,
          color: COLORS.daily,
          lineStyle: lib.LineStyle.Dashed,
          lastValueVisible: false,
        }),
        max: chart.addSeries(lib.LineSeries, {
          ...step,
          color: COLORS.max,
          lineStyle: lib.LineStyle.Dotted,
          lineWidth: 2,
          lastValueVisible: false,
        }),
        // Breaches as points on a line that is not drawn (the markers plugin would add ~3 KB gzip).
        breach: chart.addSeries(lib.LineSeries, {
          color: COLORS.max,
          lineVisible: false,
          pointMarkersVisible: true,
          pointMarkersRadius: 5,
          lastValueVisible: false,
          priceLineVisible: false,
          crosshairMarkerVisible: false,
        }),
        // Withdrawals and their reversals, at the balance right after: a marker of their own colour.
        withdrawal: chart.addSeries(lib.LineSeries, {
          color: COLORS.withdrawal,
          lineVisible: false,
          pointMarkersVisible: true,
          pointMarkersRadius: 5,
          lastValueVisible: false,
          priceLineVisible: false,
          crosshairMarkerVisible: false,
        }),
      };
      type Mark = { time: number; value: number };
      const state = { lastTime: 0, breaches: [] as Mark[], withdrawals: [] as Mark[] };
      let count = 0;

      const put = (p: EquityPoint, mode: "set" | "append") => {
        const time = Math.floor(Date.parse(p.time) / 1000);
        if (mode === "append" && time < state.lastTime) return; // older than the chart's end: already shown
        const at = time as UTCTimestamp;
        const row = (v: string | null) => (v === null ? { time: at } : { time: at, value: Number(v) });
        series.equity.update(row(p.equity));
        series.balance.update(row(p.balance));
        series.daily.update(row(p.dailyFloor));
        series.max.update(row(p.maxFloor));
        if (time > state.lastTime) count++;
        state.lastTime = time;
        setLatest(p);
      };
      const mark = (kind: "breaches" | "withdrawals", at: string, value: string) => {
        const time = Math.floor(Date.parse(at) / 1000);
        const marks = [...state[kind].filter((b) => b.time !== time), { time, value: Number(value) }]
          .sort((x, y) => x.time - y.time);
        state[kind] = marks;
        const target = kind === "breaches" ? series.breach : series.withdrawal;
        target.setData(marks.map((b) => ({ ...b, time: b.time as UTCTimestamp })));
        if (kind === "withdrawals") setWithdrawals(marks.length);
      };

      const load = async (r: ChartRange) => {
        const from = RANGES[r].ms === null
          ? ""
          : `&from=${new Date(Date.now() - RANGES[r].ms!).toISOString()}`;
        try {
          const res = await fetch(`/api/accounts/${props.accountId}/equity?resolution=auto${from}`);
          if (!res.ok) throw new Error(`status ${res.status}`);
          const history = await res.json() as EquityHistory;
          if (disposed) return;
          for (const s of Object.values(series)) s.setData([]);
          state.lastTime = 0;
          state.breaches = [];
          state.withdrawals = [];
          setWithdrawals(0);
          count = 0;
          for (const p of history.points) put(p, "set");
          for (const b of history.breaches) mark("breaches", b.at, b.equity);
          for (const w of history.withdrawals ?? []) {
            if (w.balance !== null) mark("withdrawals", w.at, w.balance);
          }
          setProblem(null);
        } catch {
          setProblem("The history could not be loaded; new changes still appear as they happen.");
        }
        // Never an empty frame: without history, the account as the page was rendered is the first point.
        if (count === 0) put(props.start, "set");
        setPoints(count);
        setFreshAt(Date.now());
        chart.timeScale().fitContent();
      };
      reloadRef.current = load;
      await load("all");

      connectUserStream();
      const stop = onAccountChange(props.accountId, (c) => {
        const a = c.account;
        put({
          time: c.at,
          balance: a.balance,
          equity: a.equity,
          dailyFloor: a.dailyFloor,
          maxFloor: a.maxFloor,
        }, "append");
        for (const v of c.verdicts) {
          if (v.type === "breach" || v.type === "paused") {
            const evidence = (v as { evidence: { at: string; observed: string } }).evidence;
            mark("breaches", evidence.at, evidence.observed);
          } else if (v.type === "withdrawal" || v.type === "withdrawal_reversed") {
            mark("withdrawals", v.at, a.balance);
          }
        }
        setPoints(count);
        setFreshAt(Date.now());
        setStatus(a.status);
        // While the whole life is shown, keep it all in view as it grows.
        if (rangeRef.current === "all") chart.timeScale().fitContent();
      });
      const unfollow = onSchemeChange((next) => chart.applyOptions(themeOptions(next)));
      cleanup = () => {
        stop();
        unfollow();
        chart.remove();
      };
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [props.accountId]);

  const fresh = Math.max(freshAt ?? 0, lastFrameAt.value ?? 0) || null;
  return (
    <ChartFrame
      title="Equity and balance"
      range={range}
      onRange={(r) => {
        setRange(r);
        rangeRef.current = r;
        reloadRef.current?.(r);
      }}
      marker={<LiveMarker state={connection.value} updatedAt={fresh} now={now} ended={isEnded(status)} />}
      legend={[
        { label: "Equity", color: COLORS.equity, style: "solid", value: latest?.equity ?? null },
        { label: "Balance", color: COLORS.balance, style: "steps", value: latest?.balance ?? null },
        {
          label: "Daily loss floor",
          color: COLORS.daily,
          style: "dashed",
          value: latest?.dailyFloor ?? null,
        },
        { label: "Max loss floor", color: COLORS.max, style: "dotted", value: latest?.maxFloor ?? null },
        { label: "Breach", color: COLORS.max, style: "marker", value: null },
        { label: "Withdrawal", color: COLORS.withdrawal, style: "marker", value: null },
      ]}
      currency={props.currency}
      problem={problem}
    >
      <p class="sr-only">
        The chart draws equity and balance over time with the daily and maximum loss floors; the legend above
        gives the latest values, and the meters give the room left to each floor. Payout withdrawals are
        marked apart: money moved out of the balance, not a trading loss.
      </p>
      {/* Not aria-hidden: the library's attribution link inside stays reachable (axe: aria-hidden-focus). */}
      <div ref={box} class="h-64 w-full sm:h-80" data-points={points} data-withdrawals={withdrawals} />
    </ChartFrame>
  );
}
