import type { TradePlatform, TradeSource } from "../services/accounts/trade_source.ts";

/**
 * A connector's platform by name, and its version when the connector named one: "MetaTrader 5 (version
 * 5.0.4200)". Connector-supplied text: only ever a text node (JSX escapes it), never markup or a link.
 */
export function PlatformName(props: { platform: TradePlatform }) {
  const { name, version } = props.platform;
  return (
    <>
      <span class="font-semibold" data-platform>{name}</span>
      {version && <span class="tabular-nums" data-platform-version>{` (version ${version})`}</span>}
    </>
  );
}

/**
 * Who trades an account, in words for staff (the back office's account and trader views): the built-in venue,
 * the platform a connector named ("MetaTrader 5 (version 5.0.4200), through its connector"), a connector that
 * never named it, or nothing yet.
 */
export function TradedOn(props: { source: TradeSource | null; platform: TradePlatform | null }) {
  if (props.source === "venue") return <span data-traded-on="venue">Built-in venue</span>;
  if (props.source === null) return <span class="text-muted" data-traded-on="none">Nothing yet</span>;
  const p = props.platform;
  if (!p) return <span data-traded-on="connector">A platform's connector (platform not named)</span>;
  return (
    <span data-traded-on="connector">
      <PlatformName platform={p} />, through its connector
    </span>
  );
}
