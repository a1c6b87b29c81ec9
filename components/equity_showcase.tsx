import { formatMoney, toMinor } from "../services/money.ts";
import { type Showcase, showcaseMoney } from "../services/demo/showcase.ts";
import { formatDate } from "../services/time.ts";
import type { AccountStatus } from "../services/engine/state.ts";

/** The badge beside the plan name: the engine's verdict in words, the dot only repeats it. */
const STATUS: Record<AccountStatus, { label: string; dot: string }> = {
  active: { label: "Active · within limits", dot: "bg-brand" },
  paused: { label: "Paused until the reset", dot: "bg-warn" },
  passed: { label: "Passed", dot: "bg-brand" },
  failed: { label: "Failed", dot: "bg-danger" },
};

// The chart's own coordinate system; the SVG scales to its box, so these only set proportions and text size.
const W = 400;
const H = 220;
const PAD = { left: 4, right: 58, top: 12, bottom: 22 };

/**
 * The home page's product visual: a demo evaluation's equity curve with its daily-loss and max-loss floors
 * and the profit target, as the rule engine computed them (services/demo/showcase.ts), server-rendered as
 * SVG (no script). Lines differ by dash as well as colour, the legend names them in words, and the SVG's
 * title and description say the same to a screen reader.
 */
export function EquityShowcase(props: { showcase: Showcase }) {
  const s = props.showcase;
  const money = (amount: string) => showcaseMoney(amount, s.currency);
  const n = s.points.length;
  const values = s.points.flatMap((p) => [p.equity, p.dailyFloor, p.maxFloor]).filter((v): v is string => !!v)
    .map(Number);
  if (s.targetBalance) values.push(Number(s.targetBalance));
  const span = Math.max(...values) - Math.min(...values) || 1;
  const lo = Math.min(...values) - span * 0.06;
  const hi = Math.max(...values) + span * 0.06;
  const x = (i: number) => PAD.left + (i / Math.max(n - 1, 1)) * (W - PAD.left - PAD.right);
  const y = (v: string | number) => PAD.top + (1 - (Number(v) - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const f = (v: number) => v.toFixed(1);

  const equityPath = s.points.map((p, i) => `${i ? "L" : "M"}${f(x(i))} ${f(y(p.equity))}`).join("");
  const areaPath = `${equityPath}L${f(x(n - 1))} ${H - PAD.bottom}L${f(x(0))} ${H - PAD.bottom}Z`;
  const floorPath = (pick: (p: Showcase["points"][number]) => string | null) => {
    let d = "";
    let prev: number | null = null;
    s.points.forEach((p, i) => {
      const v = pick(p);
      if (v === null) return void (prev = null);
      const yy = y(v);
      // A floor holds its level until the engine moves it: a step, not a slope.
      d += prev === null ? `M${f(x(i))} ${f(yy)}` : `H${f(x(i))}${yy === prev ? "" : `V${f(yy)}`}`;
      prev = yy;
    });
    return d;
  };
  const daily = floorPath((p) => p.dailyFloor);
  const max = floorPath((p) => p.maxFloor);
  const last = s.points[n - 1];
  const ticks = niceTicks(lo, hi);
  const profitUp = toMinor(s.last.profit) >= 0n;
  const sign = profitUp ? "+" : "−";
  const description = `Equity of a demo ${s.planName} evaluation over ${s.tradingDays} trading days, ` +
    `simulated by the rule engine: from ${money(s.initialBalance)} to ${money(s.last.equity)}` +
    (last.dailyFloor ? `; the daily loss floor ends at ${money(last.dailyFloor)}` : "") +
    (last.maxFloor ? `, the maximum loss floor at ${money(last.maxFloor)}` : "") +
    (s.targetBalance ? `; the profit target is ${money(s.targetBalance)}.` : ".");

  return (
    <figure class="rounded-2xl border border-line bg-surface p-4 shadow-xl shadow-ink/5 sm:p-5">
      <div class="flex flex-wrap items-center justify-between gap-2">
        <p class="text-sm font-semibold">
          {s.planName} <span class="font-normal text-muted">· {s.phaseName}</span>
        </p>
        <p class="inline-flex items-center gap-1.5 rounded-full bg-raised px-2.5 py-0.5 text-xs font-semibold">
          <span aria-hidden="true" class={`size-1.5 rounded-full ${STATUS[s.status].dot}`} />
          {STATUS[s.status].label}
        </p>
      </div>
      <p class="mt-3 text-3xl font-semibold tracking-tight tabular-nums">
        {formatMoney(s.last.equity, s.currency)}
      </p>
      <p class={`text-sm font-semibold tabular-nums ${profitUp ? "text-brand-strong" : "text-danger"}`}>
        {sign}
        {formatMoney(s.last.profit.replace(/^-/, ""), s.currency)} ({sign}
        {/* U+00A0: the figure and its % stay on one line (the page has two decimals, not percent()'s trim) */}
        {`${s.last.profitPercent.replace(/^-/, "")}\u00a0%`}){" "}
        <span class="font-normal text-muted">· {s.tradingDays} trading days</span>
      </p>

      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby="showcase-title showcase-desc"
        class="mt-4 block h-auto w-full"
      >
        <title id="showcase-title">Demo equity curve with its loss floors</title>
        <desc id="showcase-desc">{description}</desc>
        <defs>
          {/* currentColor here is the gradient's own colour, so the brand class sits on it. */}
          <linearGradient id="showcase-fill" x1="0" y1="0" x2="0" y2="1" class="text-brand">
            <stop offset="0" stop-color="currentColor" stop-opacity="0.22" />
            <stop offset="1" stop-color="currentColor" stop-opacity="0" />
          </linearGradient>
        </defs>
        {ticks.map((t) => (
          <g key={t}>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={f(y(t))}
              y2={f(y(t))}
              class="stroke-line"
              stroke-width="1"
            />
            <text x={W - PAD.right + 6} y={f(y(t) + 4)} class="fill-muted text-[11px] tabular-nums">
              {money(`${t}.00`)}
            </text>
          </g>
        ))}
        {s.targetBalance && (
          <line
            x1={PAD.left}
            x2={W - PAD.right}
            y1={f(y(s.targetBalance))}
            y2={f(y(s.targetBalance))}
            class="stroke-ink"
            stroke-width="1.25"
            stroke-dasharray="10 5"
            opacity="0.6"
          />
        )}
        <path d={areaPath} fill="url(#showcase-fill)" />
        <text x={PAD.left} y={H - 6} class="fill-muted text-[11px]">
          {formatDate(new Date(s.points[0].at))}
        </text>
        <text x={W - PAD.right} y={H - 6} text-anchor="end" class="fill-muted text-[11px]">
          {formatDate(new Date(last.at))}
        </text>
        {max && <path d={max} fill="none" class="stroke-danger" stroke-width="2" stroke-dasharray="2 3" />}
        {daily && (
          <path d={daily} fill="none" class="stroke-warn" stroke-width="1.75" stroke-dasharray="6 4" />
        )}
        <path d={equityPath} fill="none" class="stroke-brand" stroke-width="2.25" stroke-linejoin="round" />
        <circle
          cx={f(x(n - 1))}
          cy={f(y(last.equity))}
          r="4"
          class="fill-brand stroke-surface"
          stroke-width="2"
        />
      </svg>

      <figcaption class="mt-3">
        <ul class="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted">
          <Legend dash="" tone="stroke-brand">Equity</Legend>
          {last.dailyFloor && <Legend dash="6 4" tone="stroke-warn">Daily loss floor</Legend>}
          {last.maxFloor && <Legend dash="2 3" tone="stroke-danger">Max loss floor</Legend>}
          {s.targetBalance && <Legend dash="10 5" tone="stroke-ink">Profit target</Legend>}
        </ul>
        <dl class="mt-4 grid grid-cols-3 gap-2 border-t border-line pt-4 text-xs sm:gap-4">
          <Room label="Room to daily floor" value={s.last.dailyRoom} money={money} />
          <Room label="Room to max-loss floor" value={s.last.maxRoom} money={money} />
          <Room
            label="Still to target"
            value={s.last.toTarget}
            money={money}
          />
        </dl>
        <p class="mt-4 text-xs text-muted">
          Demo trading, not a customer's account: the floors are computed by the same rule engine that judges
          every challenge.
        </p>
      </figcaption>
    </figure>
  );
}

/**
 * Three or four round axis values (whole currency units: multiples of 1, 2 or 5 × 10^k) inside (lo, hi).
 * Geometry only: the chart's scale is plain numbers, the labels are whole amounts.
 */
function niceTicks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((v) => v >= raw) ?? raw;
  const whole = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / whole) * whole; t < hi; t += whole) ticks.push(t);
  return ticks;
}

function Legend(props: { dash: string; tone: string; children: string }) {
  return (
    <li class="inline-flex items-center gap-1.5">
      <svg aria-hidden="true" width="22" height="8" viewBox="0 0 22 8">
        <line
          x1="1"
          x2="21"
          y1="4"
          y2="4"
          class={props.tone}
          stroke-width="2"
          stroke-dasharray={props.dash || undefined}
        />
      </svg>
      {props.children}
    </li>
  );
}

function Room(props: { label: string; value: string | null; money: (amount: string) => string }) {
  if (props.value === null) return null;
  return (
    <div>
      <dt class="text-muted">{props.label}</dt>
      <dd class="mt-0.5 text-sm font-semibold tabular-nums sm:text-base">{props.money(props.value)}</dd>
    </div>
  );
}
