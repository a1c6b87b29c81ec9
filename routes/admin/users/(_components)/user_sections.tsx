import type { ComponentChildren } from "preact";
import type { OwnAccount } from "../../../../services/accounts/access.ts";
import type { AuditRow } from "../../../../services/audit_queries.ts";
import type { UserOrder, UserProfile, UserSession } from "../../../../services/users/detail.ts";
import type { StaffPayout } from "../../../../services/payouts/queries.ts";
import { formatMoney } from "../../../../services/money.ts";
import { DateTime } from "../../../../components/date_time.tsx";
import { ACCOUNT_STATUS, PAYOUT_STATUS, StatusBadge } from "../../../../components/status_badge.tsx";
import { MappedBadge } from "../../../../components/user_badges.tsx";
import { ScrollRegion } from "../../../../components/scroll_region.tsx";
import { TradedOn } from "../../../../components/traded_on.tsx";

const ORDER_STATUS: Record<string, { label: string; tone: "good" | "neutral" | "bad" }> = {
  pending: { label: "Pending", tone: "neutral" },
  paid: { label: "Paid", tone: "good" },
  failed: { label: "Failed", tone: "bad" },
  cancelled: { label: "Cancelled", tone: "neutral" },
  expired: { label: "Expired", tone: "neutral" },
  refunded: { label: "Refunded", tone: "neutral" },
};

/**
 * A titled table that scrolls sideways inside its own box on narrow screens, or a line saying it is empty.
 * In `head`, ">Amount" is a right-aligned column and "!Review" one whose name only a screen reader hears (an
 * empty header leaves the column unnamed: axe empty-table-header).
 */
function Section(
  props: {
    id: string;
    title: string;
    empty: string;
    count: number;
    head: string[];
    children: ComponentChildren;
  },
) {
  return (
    <section aria-labelledby={`${props.id}-h`} class="mt-8">
      <h2 id={`${props.id}-h`} class="font-semibold">
        {props.title} <span class="text-sm font-normal text-muted">({props.count})</span>
      </h2>
      {/* The table's own name, not the heading's: the section has that one (axe landmark-unique). */}
      {props.count === 0
        ? <p class="mt-2 text-sm text-muted">{props.empty}</p>
        : (
          <ScrollRegion label={`${props.title} table (scrolls)`} class="mt-3 rounded-xl border border-line">
            <table class="w-full min-w-[40rem] text-left text-sm">
              <thead class="bg-raised">
                <tr>
                  {props.head.map((h) => (
                    <th key={h} scope="col" class={`p-3 ${h.startsWith(">") ? "text-right" : ""}`}>
                      {h.startsWith("!") ? <span class="sr-only">{h.slice(1)}</span> : h.replace(/^>/, "")}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>{props.children}</tbody>
            </table>
          </ScrollRegion>
        )}
    </section>
  );
}

export function ProfileList(props: { profile: UserProfile; zone: string }) {
  const p = props.profile;
  return (
    <dl class="mt-3 grid grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-2 text-sm">
      <dt class="text-muted">Name</dt>
      <dd>{`${p.firstName} ${p.lastName}`.trim() || "—"}</dd>
      <dt class="text-muted">Email</dt>
      <dd class="break-all">{p.email} {p.emailVerified ? "(verified)" : "(not verified)"}</dd>
      <dt class="text-muted">Country</dt>
      <dd>{p.country ?? "—"}</dd>
      <dt class="text-muted">Time zone</dt>
      <dd>{p.timeZone}</dd>
      <dt class="text-muted">Two-factor</dt>
      <dd>{p.twoFactorEnabled ? "On" : "Off"}</dd>
      <dt class="text-muted">Signed up</dt>
      <dd class="tabular-nums">
        <DateTime at={p.createdAt} zone={props.zone} />
      </dd>
      <dt class="text-muted">User id</dt>
      <dd class="break-all font-mono text-xs leading-5">{p.id}</dd>
    </dl>
  );
}

export function AccountsTable(props: { accounts: OwnAccount[]; zone: string }) {
  return (
    <Section
      id="accounts"
      title="Accounts"
      empty="No accounts."
      count={props.accounts.length}
      head={["Account", "Status", ">Balance", ">Equity", "Last change"]}
    >
      {props.accounts.map((a) => (
        <tr key={a.id} class="border-t border-line">
          <td class="p-3">
            <a class="link font-semibold" href={`/admin/accounts/${a.id}`}>
              {a.planName ?? "Demo"}
              {a.type === "funded" ? " · Funded" : a.phaseName ? ` · ${a.phaseName}` : ""}
            </a>
            <br />
            <span class="font-mono text-xs text-muted">{a.id.slice(0, 8)}</span>
            <span class="block text-xs text-muted break-words" data-account-traded-on>
              <TradedOn source={a.tradeSource} platform={a.tradePlatform} />
            </span>
          </td>
          <td class="p-3">
            <MappedBadge map={ACCOUNT_STATUS} value={a.status} />
          </td>
          <td class="p-3 text-right tabular-nums">{formatMoney(a.balance, a.currency)}</td>
          <td class="p-3 text-right tabular-nums">{formatMoney(a.equity, a.currency)}</td>
          <td class="p-3 whitespace-nowrap tabular-nums">
            <DateTime at={a.lastEventAt ?? a.updatedAt} zone={props.zone} />
          </td>
        </tr>
      ))}
    </Section>
  );
}

export function OrdersTable(props: { orders: UserOrder[]; zone: string }) {
  return (
    <Section
      id="orders"
      title="Orders"
      empty="No orders."
      count={props.orders.length}
      head={["Placed", "Plan", "Status", ">Amount", "Provider"]}
    >
      {props.orders.map((o) => (
        <tr key={o.id} class="border-t border-line">
          <td class="p-3 whitespace-nowrap tabular-nums">
            <DateTime at={o.createdAt} zone={props.zone} />
          </td>
          <td class="p-3">{o.planName ?? "—"}</td>
          <td class="p-3">
            <MappedBadge map={ORDER_STATUS} value={o.status} />
          </td>
          <td class="p-3 text-right tabular-nums">{formatMoney(o.amount, o.currency)}</td>
          <td class="p-3">{o.provider}</td>
        </tr>
      ))}
    </Section>
  );
}

export function PayoutsTable(props: { payouts: StaffPayout[]; zone: string }) {
  return (
    <Section
      id="payouts"
      title="Payouts"
      empty="No payouts."
      count={props.payouts.length}
      head={["Requested", "Status", ">Withdrawn", ">Trader share", "!Review"]}
    >
      {props.payouts.map((p) => (
        <tr key={p.id} class="border-t border-line">
          <td class="p-3 whitespace-nowrap tabular-nums">
            <DateTime at={p.requestedAt} zone={props.zone} />
          </td>
          <td class="p-3">
            <StatusBadge tone={PAYOUT_STATUS[p.status].tone}>{PAYOUT_STATUS[p.status].label}</StatusBadge>
          </td>
          <td class="p-3 text-right tabular-nums">{formatMoney(p.amount, p.currency)}</td>
          <td class="p-3 text-right tabular-nums">{formatMoney(p.traderShare, p.currency)}</td>
          <td class="p-3">
            <a class="link" href={`/admin/payouts?id=${p.id}`}>Review</a>
          </td>
        </tr>
      ))}
    </Section>
  );
}

/** Browser and system from a user agent, roughly (the whole string is in the title for the curious). */
function device(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Chrome\//.test(userAgent)
    ? "Chrome"
    : /Firefox\//.test(userAgent)
    ? "Firefox"
    : /Safari\//.test(userAgent)
    ? "Safari"
    : userAgent.split(/[ /]/)[0].slice(0, 30);
  const system = /Windows/.test(userAgent)
    ? "Windows"
    : /iPhone|iPad/.test(userAgent)
    ? "iOS"
    : /Android/.test(userAgent)
    ? "Android"
    : /Mac OS X/.test(userAgent)
    ? "macOS"
    : /Linux/.test(userAgent)
    ? "Linux"
    : "";
  return system ? `${browser} on ${system}` : browser;
}

export function SessionsTable(props: { sessions: UserSession[]; zone: string }) {
  return (
    <Section
      id="sessions"
      title="Signed-in devices"
      empty="No live sessions."
      count={props.sessions.length}
      head={["Device", "Address", "Signed in", "Last seen"]}
    >
      {props.sessions.map((s) => (
        <tr key={s.id} class="border-t border-line">
          <td class="p-3" title={s.userAgent ?? undefined}>{device(s.userAgent)}</td>
          <td class="p-3 font-mono text-xs">{s.ip ?? "—"}</td>
          <td class="p-3 whitespace-nowrap tabular-nums">
            <DateTime at={s.createdAt} zone={props.zone} />
          </td>
          <td class="p-3 whitespace-nowrap tabular-nums">
            <DateTime at={s.lastSeenAt} zone={props.zone} />
          </td>
        </tr>
      ))}
    </Section>
  );
}

export function AuditTrail(
  props: { audit: { items: AuditRow[]; next: string | null }; userId: string; zone: string },
) {
  return (
    <>
      <Section
        id="trail"
        title="Audit trail"
        empty="Nothing recorded yet."
        count={props.audit.items.length}
        head={["When", "Action", "By", "Address"]}
      >
        {props.audit.items.map((a) => (
          <tr key={a.id} class="border-t border-line">
            <td class="p-3 whitespace-nowrap tabular-nums">
              <DateTime at={a.at} zone={props.zone} />
            </td>
            <td class="p-3 font-mono text-xs">{a.action}</td>
            <td class="p-3">{a.actorId === props.userId ? "The user" : a.actorEmail ?? "System"}</td>
            <td class="p-3 font-mono text-xs">{a.ip ?? "—"}</td>
          </tr>
        ))}
      </Section>
      <p class="mt-3 flex gap-6 text-sm">
        {props.audit.next && (
          <a class="link" href={`/admin/users/${props.userId}?auditCursor=${props.audit.next}#trail-h`}>
            Older entries
          </a>
        )}
        <a class="link" href={`/admin/audit?targetType=user&targetId=${props.userId}`}>
          In the audit log
        </a>
      </p>
    </>
  );
}
