import type { TradePlatform, TradeSource } from "../services/accounts/trade_source.ts";

/**
 * Who trades an account, in words for staff (the back office's account and trader views): the built-in venue,
 * the platform a connector named ("MetaTrader 5 5.0.4200, through its connector"), a connector that never named
 * it, or nothing yet. The platform is connector-supplied text: it is only ever rendered as a text node (JSX
 * escapes it), never as markup or an attribute that links.
 */
export function TradedOn(props: { source: TradeSource | null; platform: TradePlatform | null }) {
  if (props.source === "venue") return <span data-traded-on="venue">Built-in venue</span>;
  if (props.source === null) return <span class="text-muted" data-traded-on="none">Nothing yet</span>;
  const p = props.platform;
  if (!p) return <span data-traded-on="connector">A platform's connector (platform not named)</span>;
  return (
    <span data-traded-on="connector">
      <span class="font-semibold" data-platform>{p.name}</span>
      {p.version && <span class="tabular-nums" data-platform-version>{` ${p.version}`}</span>}, through its
      connector
    </span>
  );
}
