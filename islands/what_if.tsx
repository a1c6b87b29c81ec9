import { useState } from "preact/hooks";
import { formatMoney, signedMoney } from "../components/figures.ts";
import { accountSummary } from "./live/user_stream.ts";
import { ScrollRegion } from "../components/scroll_region.tsx";

interface Floors {
  status: string;
  balance: string;
  equity: string;
  dailyFloor: string | null;
  maxFloor: string | null;
}
interface LossAnswer {
  rule: "daily_loss" | "max_loss";
  action: "fail" | "pause";
  floor: string;
  breachingEquity: string;
  loss: string;
}
interface CloseAnswer {
  pnl: string;
  now: Floors;
  after: Floors;
  atNextReset: (Floors & { at: string }) | null;
}

const RULE = { daily_loss: "daily loss limit", max_loss: "maximum loss limit" } as const;
const STATUS: Record<string, string> = {
  active: "Active",
  paused: "Paused",
  failed: "Failed",
  passed: "Passed",
};

/** Asks the engine (`POST /api/accounts/:id/what-if`); the page does no rule arithmetic of its own. */
async function ask<T>(accountId: string, body: unknown): Promise<T | null> {
  const res = await fetch(`/api/accounts/${accountId}/what-if`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const field = json?.error?.fields ? Object.values(json.error.fields)[0] : null;
    throw new Error(String(field ?? json?.error?.message ?? `The engine could not answer (${res.status}).`));
  }
  return json.answer as T | null;
}

/**
 * The what-if panel: "what loss breaches me now?" and "what does a close at X do to my floors?", answered by
 * the rule engine on the account's current state.
 */
export default function WhatIf(props: { accountId: string; currency: string }) {
  const money = (a: string | null) => (a === null ? "none" : formatMoney(a, props.currency));
  const [loss, setLoss] = useState<LossAnswer | null | undefined>(undefined);
  const [close, setClose] = useState<CloseAnswer | null>(null);
  const [pnl, setPnl] = useState("");
  const [error, setError] = useState<{ form: "loss" | "close"; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // The engine answers only for a live account: once a change ends it (a breach, a pass), the panel goes.
  const live = typeof document === "undefined" ? null : accountSummary(props.accountId).value;
  if (live && live.status !== "active" && live.status !== "paused") return null;

  const run = async (form: "loss" | "close", fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError({ form, message: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="whatif-h" class="card p-4 sm:p-6">
      <h2 id="whatif-h" class="text-lg font-semibold tracking-tight">What if…</h2>
      <p class="mt-1 text-sm text-muted">
        Answered by the rule engine on your account as it is now. Nothing is traded or saved.
      </p>
      <div class="mt-4 grid gap-6 lg:grid-cols-2">
        <div>
          <button
            type="button"
            class="btn-primary px-4 py-2 text-sm"
            disabled={busy}
            onClick={() =>
              run("loss", async () =>
                setLoss(await ask<LossAnswer>(props.accountId, { question: "loss_to_breach" })))}
          >
            What loss breaches me now?
          </button>
          <div aria-live="polite" class="mt-3 text-sm" id="whatif-loss">
            {error?.form === "loss" && <p class="text-red-700 dark:text-red-300">{error.message}</p>}
            {loss === null && <p>No further loss on open positions can breach this account now.</p>}
            {loss && (
              <p>
                A further loss of <b class="tabular-nums">{money(loss.loss)}</b> (equity{" "}
                <span class="tabular-nums">{money(loss.breachingEquity)}</span>) breaches the{" "}
                {RULE[loss.rule]} at its floor of <span class="tabular-nums">{money(loss.floor)}</span>:{" "}
                {loss.action === "fail"
                  ? "the account would fail."
                  : "trading would pause until the next reset."}
              </p>
            )}
          </div>
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run("close", async () =>
              setClose(await ask<CloseAnswer>(props.accountId, { question: "close_at", pnl: pnl.trim() })));
          }}
        >
          <label for="whatif-pnl" class="block text-sm font-semibold">
            Close everything now with a total result of
          </label>
          <div class="mt-2 flex gap-2">
            <input
              id="whatif-pnl"
              name="pnl"
              inputMode="decimal"
              placeholder="-500.00"
              required
              value={pnl}
              onInput={(e) =>
                setPnl((e.target as HTMLInputElement).value)}
              class="w-36 rounded-lg border border-line bg-surface px-3 py-2 tabular-nums"
              aria-describedby="whatif-pnl-hint"
              aria-invalid={error?.form === "close"}
            />
            <button type="submit" class="btn-primary px-4 py-2 text-sm" disabled={busy}>Check</button>
          </div>
          <p id="whatif-pnl-hint" class="mt-1 text-xs text-muted">
            In {props.currency}; negative for a loss, e.g. -500.00.
          </p>
          <div aria-live="polite" class="mt-3 text-sm" id="whatif-close">
            {error?.form === "close" && <p class="text-red-700 dark:text-red-300">{error.message}</p>}
            {close && (
              <ScrollRegion label="Floors after the close">
                <table class="w-full text-left tabular-nums">
                  <caption class="sr-only">
                    Floors now, after a close at{" "}
                    {signedMoney(close.pnl, props.currency)}, and after the next reset
                  </caption>
                  <thead>
                    <tr class="text-muted">
                      <th scope="col" class="py-1 pr-3 font-normal"></th>
                      <th scope="col" class="py-1 pr-3 text-right font-normal">Now</th>
                      <th scope="col" class="py-1 pr-3 text-right font-normal">
                        After {signedMoney(close.pnl, props.currency)}
                      </th>
                      <th scope="col" class="py-1 text-right font-normal">Next reset</th>
                    </tr>
                  </thead>
                  <tbody>
                    {([
                      ["Status", (f: Floors) => STATUS[f.status] ?? f.status],
                      ["Balance", (f: Floors) =>
                        money(f.balance)],
                      ["Daily floor", (f: Floors) =>
                        money(f.dailyFloor)],
                      ["Max floor", (f: Floors) =>
                        money(f.maxFloor)],
                    ] as const).map(([label, get]) => (
                      <tr key={label} class="border-t border-line">
                        <th scope="row" class="py-1 pr-3 font-normal text-muted">{label}</th>
                        <td class="py-1 pr-3 text-right">{get(close.now)}</td>
                        <td class="py-1 pr-3 text-right font-semibold">{get(close.after)}</td>
                        <td class="py-1 text-right">{close.atNextReset ? get(close.atNextReset) : "—"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollRegion>
            )}
          </div>
        </form>
      </div>
    </section>
  );
}
