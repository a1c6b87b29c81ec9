import { define, setMeta } from "../_define.ts";
import { page, type RouteConfig } from "../../lib/define.ts";
import { formatDate } from "../../services/time.ts";

/** Public and identical for everyone: cached whole until site content changes. */
export const config: RouteConfig = { cache: { tags: ["site"] } };

/** Change with the text: traders are told the date of the version they accepted. */
const LAST_UPDATED = new Date("2026-11-26T00:00:00Z");

export const handler = define.handlers({
  GET(ctx) {
    setMeta(
      ctx.state,
      "Terms of service",
      "The terms for buying and taking a PropTrade Pro trading evaluation: simulated accounts, rules, " +
        "funded accounts, payouts, refunds and termination.",
    );
    return page({ support: ctx.state.deps.config.supportEmail });
  },
});

export default define.page<typeof handler>(({ data }) => (
  <>
    <h1>Terms of service</h1>
    <p class="text-sm text-muted">Last updated {formatDate(LAST_UPDATED)}</p>
    <p>
      These terms govern your use of PropTrade Pro: this website, the trader dashboard and the evaluations
      (“challenges”) we sell. By creating an account or buying a challenge you accept them.
    </p>

    <h2>1. What we offer</h2>
    <p>
      A challenge is a paid evaluation of your trading on a{" "}
      <strong>simulated account</strong>. No real money is traded on your behalf and your fee is not a
      deposit: it pays for the evaluation. Traders who pass receive a funded account under the profit-share
      terms of their plan.
    </p>

    <h2>2. Eligibility and your account</h2>
    <ul>
      <li>You must be at least 18 years old and allowed to use the service where you live.</li>
      <li>One person, one account. Keep your password and second factor to yourself.</li>
      <li>
        Before a payout we verify your identity (KYC). We may refuse a payout if verification fails or the
        details you gave are untrue.
      </li>
    </ul>

    <h2>3. Rules</h2>
    <p>
      Each challenge is judged against the rules of the plan you bought, as published on the{" "}
      <a href="/rules">trading rules</a>{" "}
      page at the time of purchase. Your plan version is fixed when you buy it: later changes to a plan do not
      apply to challenges already bought. The rule engine's verdict, recorded with its evidence, decides
      whether a phase passes or fails.
    </p>

    <h2>4. Prohibited practices</h2>
    <ul>
      <li>Exploiting price-feed errors, latency or other faults of the simulated environment.</li>
      <li>Trading the same strategy in opposite directions across accounts (hedging between accounts).</li>
      <li>Letting someone else trade your account, or trading someone else's.</li>
      <li>Automated tools whose purpose is to game the rules rather than to trade.</li>
    </ul>
    <p>If we find a prohibited practice we may fail the account and withhold the related profit share.</p>

    <h2>5. Funded accounts and payouts</h2>
    <p>
      Your share of the profit, the minimum payout and the payout interval are those of your plan. Payouts are
      made to an account in your own name after identity verification.
    </p>

    <h2>6. Fees and refunds</h2>
    <p>
      The challenge fee is charged in full when you buy it. A challenge that has not started trading can be
      cancelled for a refund by writing to support; once you have placed a trade the evaluation has been
      provided and the fee is not refundable, except where the law of your country says otherwise.
    </p>

    <h2>7. Liability</h2>
    <p>
      The service is provided as it is. We are not liable for losses that arise from your trading decisions or
      from outages beyond our control. Nothing in these terms limits liability that cannot be limited by law.
    </p>

    <h2>8. Ending the agreement</h2>
    <p>
      You may close your account at any time. We may suspend or close an account that breaks these terms, and
      tell you why.
    </p>

    <h2>9. Changes and contact</h2>
    <p>
      We announce changes to these terms by email before they take effect. Questions:{" "}
      <a href={`mailto:${data.support}`}>{data.support}</a>. See also the{" "}
      <a href="/legal/privacy">privacy policy</a> and the <a href="/legal/risk">risk disclosure</a>.
    </p>
  </>
));
