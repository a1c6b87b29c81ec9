import { useEffect, useState } from "preact/hooks";
import type { AccountJson, AccountMeters } from "../services/accounts/overview_json.ts";
import { connection, connectUserStream, lastFrameAt, onAccountChange } from "./live/user_stream.ts";
import { Flash, LiveMarker, useNow } from "../components/live.tsx";
import { Bar, LEVELS, LevelTag } from "../components/limit_meter.tsx";
import { accountStatusBadge, isEnded, StatusBadge } from "../components/status_badge.tsx";
import { formatDateTime, formatMoney, percent, signedMoney } from "../components/figures.ts";
import type { VerdictJson } from "./live/types.ts";
import type { TradeSource } from "./live/venue_types.ts";

type LedgerVerdict = Extract<VerdictJson, { type: "withdrawal" | "withdrawal_reversed" }>;

/** One dashboard card's data: the account, its names and meters (services/accounts/overview.ts). */
export interface CardData {
  account: AccountJson;
  planName: string;
  stageName: string;
  meters: AccountMeters | null;
  /** Who trades it (null: no trade yet); a connector's account opens the terminal read-only. */
  tradeSource?: TradeSource | null;
  /** The platform a connector's account is traded on, as its connector named it (connector-supplied text). */
  tradePlatform?: { name: string; version: string | null } | null;
  /** The newest payout withdrawal or reversal seen live (never sent by the server's render). */
  ledger?: LedgerVerdict;
}

/**
 * The dashboard's account cards, live: each change frame of an account patches its status and figures at
 * once, then its overview is refetched for the engine's meters (one request per account in flight).
 */
export default function AccountCards(props: { cards: CardData[]; timeZone: string }) {
  const [cards, setCards] = useState(props.cards);
  const [freshAt, setFreshAt] = useState<Record<string, number>>({});
  const now = useNow();

  useEffect(() => {
    connectUserStream();
    const busy = new Set<string>();
    const patch = (id: string, fn: (c: CardData) => CardData) => {
      setCards((list) => list.map((c) => (c.account.id === id ? fn(c) : c)));
      setFreshAt((f) => ({ ...f, [id]: Date.now() }));
    };
    const refetch = async (id: string) => {
      if (busy.has(id)) return;
      busy.add(id);
      try {
        const res = await fetch(`/api/accounts/${id}/overview`);
        if (res.ok) {
          const o = await res.json();
          patch(
            id,
            (c) =>
              o.account.stateVersion >= c.account.stateVersion
                ? { ...c, account: o.account, meters: o.meters }
                : c,
          );
        }
      } finally {
        busy.delete(id);
      }
    };
    const stops = props.cards.map((card) =>
      onAccountChange(card.account.id, (change) => {
        const ledger = change.verdicts.findLast((v): v is LedgerVerdict =>
          v.type === "withdrawal" || v.type === "withdrawal_reversed"
        );
        patch(card.account.id, (c) =>
          change.stateVersion >= c.account.stateVersion
            ? { ...c, account: change.account as AccountJson, ledger: ledger ?? c.ledger }
            : c);
        refetch(card.account.id);
      })
    );
    return () => stops.forEach((stop) => stop());
  }, []);

  return (
    <ul class="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
      {cards.map((card) => (
        <Card
          key={card.account.id}
          card={card}
          timeZone={props.timeZone}
          now={now}
          freshAt={Math.max(freshAt[card.account.id] ?? 0, lastFrameAt.value ?? 0) || null}
        />
      ))}
    </ul>
  );
}

function Card(props: { card: CardData; timeZone: string; now: number; freshAt: number | null }) {
  const { account: a, meters: m } = props.card;
  const money = (v: string) => formatMoney(v, a.currency);
  // Without meters the cause of a pause is unknown here: the plain word.
  const status = accountStatusBadge(a.status, m ? !m.dailyLoss?.pausedUntil : undefined);
  const nearest = m?.nearest === "daily_loss" ? m.dailyLoss : m?.nearest === "max_loss" ? m.maxLoss : null;
  const ended = isEnded(a.status);
  return (
    <li class="card flex flex-col p-4" data-account={a.id} data-status={a.status}>
      <div class="flex items-start justify-between gap-2">
        <div class="min-w-0">
          <h3 class="font-semibold">
            <a class="link" href={`/dashboard/accounts/${a.id}`}>{props.card.planName}</a>
          </h3>
          <p class="text-sm text-muted break-words">
            {props.card.stageName}
            {/* Which platform, for a trader with accounts on several (the version is on the account page). */}
            {props.card.tradePlatform && (
              <>
                {" · "}
                <span data-platform>{props.card.tradePlatform.name}</span>
              </>
            )}
          </p>
        </div>
        <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
      </div>
      <dl class="mt-4 grid grid-cols-3 gap-2 text-sm">
        <div>
          <dt class="text-muted">Balance</dt>
          <dd class="font-semibold tabular-nums">
            <Flash value={a.balance}>{money(a.balance)}</Flash>
          </dd>
        </div>
        <div>
          <dt class="text-muted">Equity</dt>
          <dd class="font-semibold tabular-nums" data-figure="equity">
            <Flash value={a.equity}>{money(a.equity)}</Flash>
          </dd>
        </div>
        <div>
          {/* An ended account's day is the one it ended on, not today. */}
          <dt class="text-muted">{ended ? "Last day" : "Today"}</dt>
          <dd class="font-semibold tabular-nums">
            {m ? <Flash value={m.todayPnl}>{signedMoney(m.todayPnl, a.currency)}</Flash> : "—"}
          </dd>
        </div>
      </dl>
      {props.card.ledger && (
        <p class="mt-3 text-sm" role="status" data-ledger={props.card.ledger.type}>
          {props.card.ledger.type === "withdrawal"
            ? `Withdrawal of ${money(props.card.ledger.amount)} for a payout: not a trading loss.`
            : `Withdrawal of ${money(props.card.ledger.amount)} reversed: the payout was not made.`}
        </p>
      )}
      {nearest && !ended && (
        <div class="mt-4">
          <p class="flex flex-wrap items-center justify-between gap-2 text-sm">
            <span>
              Nearest limit: {nearest.key === "daily_loss" ? "daily loss" : "max loss"}
            </span>
            <LevelTag level={nearest.level} />
          </p>
          <p class="mt-1 text-sm tabular-nums" data-figure="nearest-left">
            <b>{money(nearest.left)}</b> left · {percent(nearest.leftPercent)} of {money(nearest.limit)}
          </p>
          <div
            class="mt-2"
            role="meter"
            aria-label={`${percent(nearest.usedPercent)} of the ${
              nearest.key === "daily_loss" ? "daily" : "maximum"
            } loss limit used`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Number(nearest.usedPercent)}
          >
            <Bar percent={Number(nearest.usedPercent)} fill={LEVELS[nearest.level].bar} ticks />
          </div>
        </div>
      )}
      {a.status === "failed" && (
        <p class="mt-4 text-sm">
          <span aria-hidden="true">✕</span> Evaluation ended: a loss limit was breached.{" "}
          <a class="link" href={`/dashboard/accounts/${a.id}#breach`}>See why</a> ·{" "}
          <a class="link" href="/challenges">Start a new challenge</a>
        </p>
      )}
      {a.status === "passed" && (
        <p class="mt-4 text-sm">
          <span aria-hidden="true">✓</span> Phase passed.{" "}
          <a class="link" href={`/dashboard/accounts/${a.id}`}>Open it for the next step</a>
        </p>
      )}
      {a.status === "pending_kyc" && (
        <p class="mt-4 text-sm">
          <span aria-hidden="true">✓</span> Funded: trading starts once your identity is verified.{" "}
          <a class="link" href="/dashboard/verification">Verify your identity</a>
        </p>
      )}
      {a.status === "paused" && m?.dailyLoss?.pausedUntil && (
        <p class="mt-2 text-sm">
          <span aria-hidden="true">‖</span> Paused until{" "}
          {formatDateTime(new Date(m.dailyLoss.pausedUntil), props.timeZone)}: not a failure.
        </p>
      )}
      {(a.status === "active" || a.status === "paused") && (
        <p class="mt-4">
          <a class="btn-secondary px-3 py-1.5 text-sm" href={`/trade/${a.id}`}>
            {props.card.tradeSource === "connector" ? "Positions" : "Trade"}{" "}
            <span class="sr-only">{props.card.planName}</span> <span aria-hidden="true">→</span>
          </a>
        </p>
      )}
      <div class="mt-auto flex flex-wrap items-center justify-between gap-2 pt-4 text-xs text-muted">
        <span>
          {a.lastEventAt
            ? `Last trade data ${formatDateTime(new Date(a.lastEventAt), props.timeZone)}`
            : "No trading yet"}
        </span>
        <LiveMarker state={connection.value} updatedAt={props.freshAt} now={props.now} ended={ended} />
      </div>
    </li>
  );
}
