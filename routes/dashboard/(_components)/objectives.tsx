import type { ComponentChildren } from "preact";
import type { ObjectiveJson as Objective } from "../../../services/accounts/overview_json.ts";
import { formatMoney, fromMinor, percent, toMinor } from "../../../services/money_format.ts";
import { formatDateTime } from "../../../services/time_format.ts";
import { StatusBadge } from "../../../components/status_badge.tsx";

// Browser-safe on purpose (no engine, no zod): the account page's live island renders this list too.

/** How figures are shown: money in the account's currency, instants in the viewer's time zone. */
export interface Formatters {
  money(amount: string): string;
  time(iso: string): string;
}

export function formatters(currency: string, timeZone: string): Formatters {
  return {
    money: (amount) => formatMoney(amount, currency),
    time: (iso) => formatDateTime(new Date(iso), timeZone),
  };
}

const TITLES: Record<Objective["key"], string> = {
  profit_target: "Profit target",
  daily_loss: "Daily loss limit",
  max_loss: "Maximum loss limit",
  min_trading_days: "Minimum trading days",
  consistency: "Consistency",
  time_limit: "Time limit",
};

/**
 * Status words per kind: a loss limit is "within" or "breached"; a goal "met" or "in progress" — or "not
 * reached" once the account failed, since nothing is in progress on a failed account any more.
 */
function statusLabel(o: Objective, failed: boolean): { label: string; tone: "good" | "neutral" | "bad" } {
  const s = o.status;
  if (s === "failed") return { label: o.key === "time_limit" ? "Expired" : "Breached", tone: "bad" };
  if (s === "met") return { label: "Met", tone: "good" };
  if (s === "pending") {
    return o.key === "daily_loss"
      ? { label: "Paused", tone: "bad" }
      : failed
      ? { label: "Not reached", tone: "bad" }
      : { label: "In progress", tone: "neutral" };
  }
  return { label: o.key === "time_limit" ? "Running" : "Within limit", tone: "good" };
}

const MAX_MODE: Record<"static" | "trailing_intraday" | "trailing_eod", string> = {
  static: "This floor stays fixed.",
  trailing_intraday:
    "This floor rises with the highest equity you reach, open profit included; it never falls.",
  trailing_eod: "This floor rises with your highest end-of-day balance, at each daily reset; it never falls.",
};

/**
 * The progress objectives in plain language, with the figures the engine computed. `anchorWords` names the
 * daily loss anchor ("the day's starting balance"); absent on old plans, the figures alone are shown.
 * `failed`: the account failed, so goals not met read "not reached".
 */
export function ObjectiveList(
  props: { objectives: Objective[]; anchorWords: string | null; failed?: boolean; f: Formatters },
) {
  if (props.objectives.length === 0) {
    return <p class="text-muted">This account has no evaluated objectives.</p>;
  }
  return (
    <ul class="grid gap-4 md:grid-cols-2">
      {props.objectives.map((o) => {
        const status = statusLabel(o, props.failed ?? false);
        return (
          <li key={o.key} class="card">
            <h3 class="flex flex-wrap items-center justify-between gap-2 font-semibold">
              {TITLES[o.key]}
              <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
            </h3>
            <div class="mt-3 space-y-2 text-sm">
              <Explain o={o} anchorWords={props.anchorWords} f={props.f} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}

function Explain({ o, anchorWords, f }: { o: Objective; anchorWords: string | null; f: Formatters }) {
  switch (o.key) {
    case "profit_target":
      return (
        <>
          <P>
            Reach a balance of <b>{f.money(o.targetBalance)}</b> (a profit of{" "}
            {f.money(o.target)}) with no open positions.
          </P>
          <P>
            Profit so far: <b>{f.money(o.current)}</b> of {f.money(o.target)}.
          </P>
        </>
      );
    case "daily_loss": {
      const basis = o.basis === "equity" ? "equity (including open positions)" : "balance";
      const allowed = fromMinor(toMinor(o.anchor) - toMinor(o.floor));
      return (
        <>
          <P>
            {o.status === "failed" ? `That day your ${basis} had to stay` : `Today your ${basis} must stay`}
            {" "}
            at or above <b>{f.money(o.floor)}</b>: {f.money(allowed)} below{" "}
            {anchorWords ?? "the day's starting level"} ({f.money(o.anchor)}).
          </P>
          {o.status === "failed"
            ? <P>It went below that floor: the evidence is above, under “Why this account failed”.</P>
            : <P>Now: {f.money(o.current)}. The limit resets at {f.time(o.resetsAt)}.</P>}
          {o.pausedUntil && <P>Trading is paused until {f.time(o.pausedUntil)}.</P>}
        </>
      );
    }
    case "max_loss":
      return (
        <>
          <P>
            Your equity must never fall below <b>{f.money(o.floor)}</b>. Now: {f.money(o.current)}.
          </P>
          <P>
            {MAX_MODE[o.mode]}
            {o.lockLevel && ` It stops rising once it reaches ${f.money(o.lockLevel)}.`}
          </P>
        </>
      );
    case "min_trading_days":
      return (
        <P>
          Trade on at least <b>{o.required}</b> different days: {o.current} of {o.required}{" "}
          so far. A day counts when you open at least one trade in it.
        </P>
      );
    case "consistency":
      return (
        <>
          <P>
            Your best day may make at most <b>{percent(o.required)}</b> of your total profit.
          </P>
          <P>
            {o.current === null
              ? "No profit yet."
              : `Best day ${f.money(o.bestDay)} of ${f.money(o.totalProfit)} total profit: ${
                percent(o.current)
              }.`} This only delays a pass; it never fails the account.
          </P>
        </>
      );
    case "time_limit":
      return (
        <P>
          Pass within <b>{o.required} days</b>: day {o.current} of {o.required}. The time runs out at{" "}
          {f.time(o.endsAt)}.
        </P>
      );
  }
}

function P(props: { children: ComponentChildren }) {
  return <p>{props.children}</p>;
}
