import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { formatMoney } from "../../services/money.ts";
import { ACCOUNT_STATUS, StatusBadge } from "../../components/status_badge.tsx";
import { type ListedAccount, listTraderAccounts } from "../../services/accounts/trader_accounts.ts";

/** The signed-in trader's accounts; signed-out visitors are sent to sign in and brought back. */
export const access = "authenticated";

interface Data {
  accounts: ListedAccount[];
}

export const handler = define.handlers<Data>({
  async GET(ctx) {
    setMeta(ctx.state, "Dashboard", "Your challenge and funded accounts at a glance.");
    const accounts = await listTraderAccounts(ctx.state.deps.db.sql, ctx.state.user!.id);
    return page({ accounts }, {
      headers: { "cache-control": "no-store" },
    });
  },
});

export default define.page<typeof handler>(({ data }) => (
  <div class="container-page py-12">
    <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Dashboard</h1>
    {data.accounts.length === 0
      ? (
        <div class="card mt-8 max-w-2xl">
          <h2 class="text-xl font-bold tracking-tight">No accounts yet</h2>
          <p class="mt-2 text-muted">
            Buy a challenge to get your first evaluation account. It appears here with its balance, equity and
            progress.
          </p>
          <a href="/challenges" class="btn-primary mt-6">Choose a challenge</a>
        </div>
      )
      : (
        <section aria-labelledby="accounts-h" class="mt-8">
          <h2 id="accounts-h" class="text-xl font-bold tracking-tight">Your accounts</h2>
          {/* Phones get one card per account (a five-column table would hide its figures off-screen). */}
          <ul class="mt-4 grid gap-4 md:hidden">
            {data.accounts.map((a) => <AccountCard key={a.id} account={a} />)}
          </ul>
          <div class="mt-4 overflow-x-auto rounded-xl border border-line max-md:hidden">
            <table class="w-full text-left text-sm">
              <caption class="sr-only">Your accounts with their status, balance and equity</caption>
              <thead class="bg-raised">
                <tr>
                  <th scope="col" class="p-3">Account</th>
                  <th scope="col" class="p-3">Stage</th>
                  <th scope="col" class="p-3">Status</th>
                  <th scope="col" class="p-3 text-right">Balance</th>
                  <th scope="col" class="p-3 text-right">Equity</th>
                </tr>
              </thead>
              <tbody>
                {data.accounts.map((a) => {
                  const status = ACCOUNT_STATUS[a.status] ?? { label: a.status, tone: "neutral" as const };
                  return (
                    <tr key={a.id} class="border-t border-line">
                      <th scope="row" class="p-3 font-medium">
                        <a class="link" href={`/dashboard/accounts/${a.id}`}>{a.planName}</a>
                      </th>
                      <td class="p-3">{a.stageName}</td>
                      <td class="p-3">
                        <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
                      </td>
                      <td class="p-3 text-right tabular-nums">{formatMoney(a.balance, a.currency)}</td>
                      <td class="p-3 text-right tabular-nums">{formatMoney(a.equity, a.currency)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p class="mt-6">
            <a class="link" href="/challenges">Buy another challenge</a>
          </p>
        </section>
      )}
  </div>
));

function AccountCard({ account: a }: { account: ListedAccount }) {
  const status = ACCOUNT_STATUS[a.status] ?? { label: a.status, tone: "neutral" as const };
  return (
    <li class="card p-4">
      <h3 class="font-semibold">
        <a class="link" href={`/dashboard/accounts/${a.id}`}>{a.planName}</a>
      </h3>
      <p class="mt-1 flex flex-wrap items-center gap-2 text-sm text-muted">
        {a.stageName}
        <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
      </p>
      <dl class="mt-3 grid grid-cols-2 gap-2 text-sm">
        <div>
          <dt class="text-muted">Balance</dt>
          <dd class="font-semibold tabular-nums">{formatMoney(a.balance, a.currency)}</dd>
        </div>
        <div>
          <dt class="text-muted">Equity</dt>
          <dd class="font-semibold tabular-nums">{formatMoney(a.equity, a.currency)}</dd>
        </div>
      </dl>
    </li>
  );
}
