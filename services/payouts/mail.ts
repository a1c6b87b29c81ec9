/** The mails a trader gets at each step of a payout (DESIGN §3.2: every transition is mailed). */
import { formatMoney } from "../money.ts";
import { percent } from "../money_format.ts";
import { type MailContent, render } from "../mail/templates.ts";
import type { Payout } from "./queries.ts";

type Step = "requested" | "approved" | "rejected" | "paid";

/** The mail for `payout` having reached `step`. */
export function payoutMail(payout: Payout, step: Step): MailContent {
  const gross = formatMoney(payout.amount, payout.currency);
  const share = formatMoney(payout.traderShare, payout.currency);
  const figures = `Amount withdrawn: ${gross}; your share (${percent(payout.splitPercent)}): ${share}.`;
  const parts: Record<Step, { subject: string; paragraphs: string[] }> = {
    requested: {
      subject: `We received your payout request for ${share}`,
      paragraphs: [
        figures,
        "The amount has left your funded account's balance; our team reviews the request next.",
        "If it is rejected, the amount goes back to your account.",
      ],
    },
    approved: {
      subject: `Your payout of ${share} was approved`,
      paragraphs: [figures, "It is on its way: we will write again when it is paid."],
    },
    rejected: {
      subject: `Your payout request for ${share} was rejected`,
      paragraphs: [
        figures,
        `Reason: ${payout.reason ?? ""}`,
        `The ${gross} went back to your funded account's balance.`,
      ],
    },
    paid: {
      subject: `Your payout of ${share} was paid`,
      paragraphs: [figures, `Payment reference: ${payout.reference ?? ""}.`],
    },
  };
  return render({ greeting: "Hello,", ...parts[step] });
}
