/** The instruments list of /admin/instruments: status, hours, and the phone layout's cards. */
import type { InstrumentRecord } from "../services/venue/instruments.ts";
import { hoursParts } from "./instrument_editor.tsx";
import { StatusBadge } from "./status_badge.tsx";
import { DateTime } from "./date_time.tsx";

/** "100000" → "100,000": contract sizes read at a glance (exact: Intl formats the decimal string). */
export function grouped(value: string): string {
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: 10 }).format(value as unknown as number);
}

export type Listed = InstrumentRecord & { open: boolean };

export function Market({ item }: { item: Listed }) {
  if (!item.active) return <StatusBadge tone="bad">Inactive</StatusBadge>;
  return item.open
    ? <StatusBadge tone="good">Open</StatusBadge>
    : <StatusBadge tone="neutral">Closed</StatusBadge>;
}

export function Hours({ item }: { item: Listed }) {
  const { sessions, zone } = hoursParts(item.hours);
  return (
    <>
      <span class="whitespace-nowrap">{sessions}</span>
      {zone && <span class="block text-xs text-muted">{zone}</span>}
    </>
  );
}

/** One instrument on a phone: the same facts as a table row, stacked. */
export function InstrumentCard({ item: i, timeZone }: { item: Listed; timeZone: string }) {
  const facts: [string, string][] = [
    ["Contract", grouped(i.contractSize)],
    ["Tick", `${i.tickSize} ${i.quoteCurrency}`],
    ["Spread", i.spread],
    ["Commission", `$${i.commissionPerLot}`],
    ["Leverage", `1:${i.leverage}`],
  ];
  return (
    <li class="card space-y-3">
      <div class="flex items-start justify-between gap-3">
        <p class="font-semibold">
          {i.symbol} <Market item={i} />
          <span class="block text-xs font-normal text-muted">{i.name}</span>
        </p>
        <a class="link text-sm whitespace-nowrap" href={`/admin/instruments?edit=${i.symbol}#editor`}>
          Edit <span class="sr-only">{i.symbol}</span>
        </a>
      </div>
      <dl class="grid grid-cols-3 gap-x-3 gap-y-2 text-sm">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt class="text-xs text-muted">{label}</dt>
            <dd class="tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      <p class="text-sm">
        <Hours item={i} />
      </p>
      <p class="text-xs text-muted">
        Updated <DateTime at={i.updatedAt} zone={timeZone} />
      </p>
    </li>
  );
}
