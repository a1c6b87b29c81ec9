import type { EvidenceJson as Evidence } from "../../../services/accounts/overview_json.ts";
import type { Formatters } from "./objectives.tsx";
import { ScrollRegion } from "../../../components/scroll_region.tsx";
import { Day } from "../../../components/date_time.tsx";
import type { ComponentChildren } from "preact";

const RULE: Record<Evidence["rule"], string> = {
  daily_loss: "Daily loss limit",
  max_loss: "Maximum loss limit",
  time_limit: "Time limit",
};

const ANCHOR: Record<string, string> = {
  sod_balance: "Balance at the daily reset",
  sod_equity: "Equity at the daily reset",
  sod_max: "Higher of balance and equity at the daily reset",
  initial: "Initial balance",
};

/** The event that tipped the account over, in a sentence. */
function causeText(evidence: Evidence, f: Formatters): string {
  const cause = evidence.cause;
  switch (cause.type) {
    case "equity":
      return `Equity update to ${f.money(cause.equity)} (balance ${f.money(cause.balance)})`;
    case "trade_close":
      return `Trade ${cause.tradeId} closed at ${cause.price}, result ${f.money(cause.pnl)}`;
    case "trade_open":
      return `Trade ${cause.tradeId} opened: ${cause.direction} ${cause.volume} ${cause.symbol} at ${cause.price}`;
    case "reset":
      // A reset can breach with no trade at all: a losing position carried into the new day's lower floor.
      return evidence.openPositions.length
        ? "The daily reset, with the positions below still open"
        : "The daily reset";
    default:
      return cause.type ? `Event "${cause.type}"` : "Time passing";
  }
}

/**
 * Why the account failed (or was paused): the rule, the floor, what was observed, when, the event that
 * caused it and the positions open at that moment — the evidence a trader needs to check the verdict, and
 * the hash that lets support replay it.
 */
export function BreachEvidence({ evidence, f }: { evidence: Evidence; f: Formatters }) {
  const rows: [string, ComponentChildren][] = [
    [
      "Rule",
      `${RULE[evidence.rule]} (${evidence.action === "fail" ? "fails the account" : "pauses trading"})`,
    ],
    ["When", f.time(evidence.at)],
    ["Trading day", <Day key="day" day={evidence.tradingDay} />],
  ];
  if (evidence.floor !== null) rows.push(["Floor", f.money(evidence.floor)]);
  if (evidence.basis === "time") {
    if (evidence.deadline) rows.push(["Deadline", f.time(evidence.deadline)]);
  } else {
    rows.push([
      evidence.basis === "equity" ? "Equity observed" : "Balance observed",
      f.money(evidence.observed),
    ]);
  }
  if (evidence.anchor) {
    rows.push([
      "Anchor",
      `${ANCHOR[evidence.anchor.kind] ?? evidence.anchor.kind}: ${f.money(evidence.anchor.value)}`,
    ]);
  }
  rows.push(["Caused by", causeText(evidence, f)]);
  return (
    <div class="space-y-4">
      <dl class="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
        {rows.map(([term, value]) => (
          <div key={term} class="contents">
            <dt class="text-muted">{term}</dt>
            <dd class="break-words">{value}</dd>
          </div>
        ))}
      </dl>
      {evidence.openPositions.length > 0 && (
        <ScrollRegion label="Open positions at the breach" class="rounded-xl border border-line">
          <table class="w-full text-left text-sm">
            <caption class="sr-only">Positions open at the moment of the breach</caption>
            <thead class="bg-raised">
              <tr>
                <th scope="col" class="p-2">Trade</th>
                <th scope="col" class="p-2">Symbol</th>
                <th scope="col" class="p-2">Direction</th>
                <th scope="col" class="p-2">Volume</th>
                <th scope="col" class="p-2">Entry price</th>
                <th scope="col" class="p-2">Opened</th>
              </tr>
            </thead>
            <tbody>
              {evidence.openPositions.map((p) => (
                <tr key={p.tradeId} class="border-t border-line">
                  <td class="p-2">{p.tradeId}</td>
                  <td class="p-2">{p.symbol}</td>
                  <td class="p-2">{p.direction}</td>
                  <td class="p-2">{p.volume}</td>
                  <td class="p-2">{p.price}</td>
                  <td class="p-2 whitespace-nowrap">{f.time(p.openedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <p class="text-xs text-muted break-all">
        Rule version {evidence.ruleVersion} · inputs hash{" "}
        <code>{evidence.inputsHash}</code>. Support can replay these inputs to reproduce the verdict.
      </p>
    </div>
  );
}
