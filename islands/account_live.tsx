import { effect, type Signal, signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { AccountOverview } from "../services/accounts/overview_json.ts";
import {
  accountSummary,
  connection,
  connectUserStream,
  lastFrameAt,
  onAccountChange,
  onlyMarks,
  onStreamGap,
} from "./live/user_stream.ts";
import type { AccountChangeJson, VerdictJson } from "./live/types.ts";
import { accountConnection, accountFrameAt, followAccountStream } from "./live/account_stream.ts";
import { LiveMarker, useNow } from "../components/live.tsx";
import { isEnded } from "../components/status_badge.tsx";
import { AccountMeterGrid } from "../routes/dashboard/(_components)/account_meters.tsx";
import { AccountFigures, AccountStatusPanel } from "../routes/dashboard/(_components)/account_status.tsx";
import { BreachEvidence } from "../routes/dashboard/(_components)/breach_evidence.tsx";
import { formatters, ObjectiveList } from "../routes/dashboard/(_components)/objectives.tsx";

/**
 * The live account page: status, figures and meters (`AccountLive`) and, further down, the breach evidence
 * and objectives (`AccountDetails`). Both read one store per account, fed by the user stream: a change frame
 * patches the figures and status at once (a breach turns the page failed in the same frame), then the
 * overview is refetched so every meter is the engine's own figure, never page arithmetic. Staff viewing a
 * trader's account (`staff`) follow the account's own stream instead (their user stream carries theirs).
 */
interface Store {
  overview: Signal<AccountOverview>;
  /** Epoch ms of the newest figures on screen (fetch or frame). */
  freshAt: Signal<number>;
  /** The newest payout withdrawal or reversal seen live: the lower balance is named as such, not as a loss. */
  ledger: Signal<LedgerVerdict | null>;
}

type LedgerVerdict = Extract<VerdictJson, { type: "withdrawal" | "withdrawal_reversed" }>;

const stores = new Map<string, Store>();

function storeFor(initial: AccountOverview, staff = false): Store {
  const fresh = () => ({
    overview: signal(initial),
    freshAt: signal(Date.parse(initial.computedAt)),
    ledger: signal<LedgerVerdict | null>(null),
  });
  // On the server every render gets its own store: nothing may outlive a request.
  if (typeof document === "undefined") return fresh();
  const id = initial.account.id;
  let store = stores.get(id);
  if (!store) {
    store = fresh();
    stores.set(id, store);
    follow(id, store, staff);
  }
  return store;
}

/**
 * Subscribes once per account: patch on each change, then refetch (one request in flight, at most one queued).
 * A frame that only re-marked the account (`onlyMarks`: the venue marks open positions a second or more)
 * is patched at once, and the meters catch up at most every `SETTLE_MS`, after the last such frame too.
 */
function follow(id: string, store: Store, staff: boolean): void {
  if (!staff) connectUserStream();
  let inFlight = false;
  let again = false;
  let startedAt = 0;
  let settle: ReturnType<typeof setTimeout> | undefined;
  const refetchSoon = () => {
    settle ??= setTimeout(() => {
      settle = undefined;
      refetch();
    }, Math.max(0, startedAt + SETTLE_MS - Date.now()));
  };
  const refetch = async () => {
    clearTimeout(settle);
    settle = undefined;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    startedAt = Date.now();
    try {
      do {
        again = false;
        const res = await fetch(`/api/accounts/${id}/overview`, { headers: { accept: "application/json" } });
        if (!res.ok) break;
        const next = await res.json() as AccountOverview;
        // A slower response must not undo a newer frame.
        if (next.account.stateVersion >= store.overview.value.account.stateVersion) {
          store.overview.value = next;
          store.freshAt.value = Date.now();
        }
      } while (again);
    } catch {
      // The stream will bring the next change; the marker shows the figures' age meanwhile.
    } finally {
      inFlight = false;
    }
  };
  const onChange = (change: AccountChangeJson) => {
    const current = store.overview.value;
    if (change.stateVersion < current.account.stateVersion) return;
    const marks = onlyMarks(change, current.account);
    const breach = change.verdicts.find((v) => v.type === "breach" || v.type === "paused") as
      | { evidence: AccountOverview["breach"] }
      | undefined;
    store.overview.value = {
      ...current,
      account: change.account as AccountOverview["account"],
      breach: breach?.evidence ?? current.breach,
    };
    const ledger = change.verdicts.findLast((v): v is LedgerVerdict =>
      v.type === "withdrawal" || v.type === "withdrawal_reversed"
    );
    if (ledger) store.ledger.value = ledger;
    store.freshAt.value = Date.now();
    if (marks) refetchSoon();
    else refetch();
  };
  if (staff) followAccountStream(id, onChange);
  else onAccountChange(id, onChange);
  // A snapshot (a resume the logs could not serve) carries no change frames: catch up from it. Checked after
  // the frame's own listener: a change frame moves the summary first, and its listener has it in hand.
  effect(() => {
    const summary = accountSummary(id).value;
    queueMicrotask(() => {
      if (summary && summary.stateVersion > store.overview.peek().account.stateVersion) refetch();
    });
  });
  // Back after a gap: whatever it missed, the overview says it.
  onStreamGap(staff ? accountConnection : connection, { onDown: () => {}, onBack: refetch });
}

/** How long the meters may trail a run of mark-only frames (the figures above them never do). */
const SETTLE_MS = 5_000;

/** Status, next step, figures and meters of one account, live. */
export default function AccountLive(props: { initial: AccountOverview; timeZone: string; staff?: boolean }) {
  const store = storeFor(props.initial, props.staff);
  const now = useNow();
  useEffect(() => void (props.staff || connectUserStream()), []);
  const o = store.overview.value;
  const f = formatters(o.account.currency, props.timeZone);
  const fresh = Math.max(store.freshAt.value, (props.staff ? accountFrameAt : lastFrameAt).value ?? 0);
  return (
    <div class="space-y-8" data-account-status={o.account.status}>
      <AccountStatusPanel
        staff={props.staff}
        overview={o}
        f={f}
        now={now}
        marker={
          <LiveMarker
            state={(props.staff ? accountConnection : connection).value}
            updatedAt={fresh}
            now={now}
            ended={isEnded(o.account.status)}
          />
        }
      />
      {store.ledger.value && <LedgerNote verdict={store.ledger.value} f={f} />}
      <AccountFigures overview={o} />
      {o.meters && (
        <section aria-labelledby="meters-h">
          <h2 id="meters-h" class="text-lg font-semibold tracking-tight">Limits and goals</h2>
          <div class="mt-3">
            <AccountMeterGrid
              meters={o.meters}
              currency={o.account.currency}
              f={f}
              now={now}
              failed={o.account.status === "failed"}
            />
          </div>
        </section>
      )}
    </div>
  );
}

/** A payout's money moving, said as such: the balance fell (or rose back) without a trade. */
function LedgerNote(props: { verdict: LedgerVerdict; f: ReturnType<typeof formatters> }) {
  const v = props.verdict;
  const out = v.type === "withdrawal";
  return (
    <p class="card p-3 text-sm" role="status" data-ledger={v.type}>
      <span class="font-semibold">{out ? "Withdrawal" : "Withdrawal reversed"}:</span> {out
        ? `${props.f.money(v.amount)} left the balance for your payout request on ${props.f.time(v.at)}. ` +
          "This is not a trading loss: the loss limits moved with it, so the room left to them is unchanged."
        : `${props.f.money(v.amount)} came back to the balance on ${props.f.time(v.at)}: the payout was ` +
          "not made. This is not a trading profit."}
    </p>
  );
}

/** The breach evidence (while a breach or pause stands) and the objectives, live. */
export function AccountDetails(props: { initial: AccountOverview; timeZone: string; staff?: boolean }) {
  const store = storeFor(props.initial, props.staff);
  const o = store.overview.value;
  const f = formatters(o.account.currency, props.timeZone);
  const failed = o.account.status === "failed";
  return (
    <div class="space-y-10">
      {o.breach && (failed || o.account.status === "paused") && (
        <section
          id="breach"
          aria-labelledby="breach-h"
          class="card border-red-700/40 dark:border-red-400/40"
        >
          <h2 id="breach-h" class="text-xl font-bold tracking-tight">
            {o.breach.action === "pause" ? "Why trading is paused" : "Why this account failed"}
          </h2>
          <div class="mt-4">
            <BreachEvidence evidence={o.breach} f={f} />
          </div>
        </section>
      )}
      {o.reinstated && (
        <details id="reinstated" class="card">
          <summary class="cursor-pointer font-semibold">
            This account failed on {f.time(o.reinstated.at)} and was reinstated by staff
          </summary>
          <div class="mt-4">
            <BreachEvidence evidence={o.reinstated} f={f} />
          </div>
        </details>
      )}
      <section aria-labelledby="objectives-h">
        <h2 id="objectives-h" class="text-xl font-bold tracking-tight">Objectives</h2>
        <p class="mt-2 text-sm text-muted">
          Times are shown in your time zone ({props.timeZone}); you can change it on your{" "}
          <a class="link" href="/account/security#profile">account page</a>.
        </p>
        <div class="mt-4">
          <ObjectiveList objectives={o.objectives} anchorWords={o.anchorWords} failed={failed} f={f} />
        </div>
      </section>
    </div>
  );
}

/**
 * The account's meters alone, live, from the same store as `AccountLive` (the trading terminal shows them
 * beside its tables without the account page's status panel).
 */
export function AccountMeters(props: { initial: AccountOverview; timeZone: string }) {
  const store = storeFor(props.initial);
  const now = useNow();
  useEffect(() => connectUserStream(), []);
  const o = store.overview.value;
  if (!o.meters) return null;
  return (
    <AccountMeterGrid
      meters={o.meters}
      currency={o.account.currency}
      f={formatters(o.account.currency, props.timeZone)}
      now={now}
      failed={o.account.status === "failed"}
    />
  );
}
