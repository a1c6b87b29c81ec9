import { define, setMeta } from "../_define.ts";
import { page, type RouteConfig } from "../../lib/define.ts";

/** Public and identical for everyone: cached whole until site content changes. */
export const config: RouteConfig = { cache: { tags: ["site"] } };

export const handler = define.handlers({
  GET(ctx) {
    setMeta(
      ctx.state,
      "Risk disclosure",
      "Evaluations run on simulated accounts, nothing here is investment advice, and trading leveraged " +
        "products carries a high risk of loss. Read before you buy a challenge.",
    );
    return page({ support: ctx.state.deps.config.supportEmail });
  },
});

export default define.page<typeof handler>(({ data }) => (
  <>
    <h1>Risk disclosure</h1>
    <p>Please read this before you buy a challenge or trade a funded account.</p>

    <h2>Simulated accounts</h2>
    <p>
      Every evaluation, and every funded account unless we tell you otherwise in writing, runs on a{" "}
      <strong>simulated trading account</strong>. Your orders are not sent to a real market and no capital of
      yours is at risk beyond the fee you pay for the challenge. Simulated fills, prices and spreads can
      differ from those a real market would give.
    </p>

    <h2>No investment advice</h2>
    <p>
      PropTrade Pro does not give investment, financial, legal or tax advice. Nothing on this website — the
      rules, the risk-management guidelines, examples or statistics — is a recommendation to buy or sell any
      financial instrument. Decide for yourself, and take independent advice where you need it.
    </p>

    <h2>Trading carries risk</h2>
    <ul>
      <li>
        Trading leveraged products such as forex, CFDs and futures carries a high risk of losing money
        rapidly. Most retail traders who trade them with their own money lose.
      </li>
      <li>Past performance, simulated or real, does not guarantee future results.</li>
      <li>Most traders do not pass an evaluation. Only pay a fee you can afford to lose.</li>
    </ul>

    <h2>Rules can fail an account quickly</h2>
    <p>
      Loss limits are checked on every change of equity, including open positions. Gaps, slippage and widened
      spreads can take an account through a limit before a stop-loss is filled. The{" "}
      <a href="/rules">trading rules</a> explain each limit with examples.
    </p>

    <h2>Payouts</h2>
    <p>
      Profit shares are paid under the <a href="/legal/terms">terms of service</a>{" "}
      and may be withheld when those terms are broken or identity verification fails.
    </p>

    <h2>Questions</h2>
    <p>
      If anything here is unclear, write to <a href={`mailto:${data.support}`}>{data.support}</a>{" "}
      before you buy a challenge.
    </p>
  </>
));
