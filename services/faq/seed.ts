/**
 * The FAQ's starting content: a fresh installation gets it with the demo data, and an existing database whose
 * FAQ is empty gets it on start-up (`seedFaqIfEmpty`). Staff edit it later in the database.
 *
 * The answers describe how the product works (DESIGN.md §3) without plan figures: figures live on /challenges
 * and /rules, which are generated from the plans, so this text cannot disagree with them when a plan changes.
 */
import type postgres from "postgres";
import type { Db } from "../../db/client.ts";
import { type FaqEntryInput, insertFaqEntry } from "./queries.ts";
import { percent } from "../money_format.ts";

/** Serializes concurrent FAQ seeders (two processes starting at once); "PRPF". */
const FAQ_SEED_LOCK = 0x50525046;

type Entry = Omit<FaqEntryInput, "position" | "published">;

/** The seeded entries, in page order within each category. Exported for tests. */
export const FAQ_SEED: readonly Entry[] = [
  // general
  {
    category: "general",
    slug: "what-is-proptrade-pro",
    question: "What is PropTrade Pro?",
    answer: "PropTrade Pro runs trading evaluations. You buy a challenge, trade a simulated account under " +
      "published rules, and if you pass you receive a funded account on which you keep a share of the " +
      "profit you make.\n\nEvery rule is checked live by our rule engine, and every limit you see on the " +
      "website is the exact one the engine enforces.",
  },
  {
    category: "general",
    slug: "how-does-it-work",
    question: "How does it work, step by step?",
    answer: "1. Choose a challenge: an account size and a one-step or two-step evaluation.\n" +
      "2. Pass the evaluation: reach the profit target within the loss limits and trade on the minimum " +
      "number of days.\n3. Get funded: verify your identity and receive a funded account with the same " +
      "rules you already know.\n4. Get paid: request your profit share on the payout schedule of your plan.",
  },
  {
    category: "general",
    slug: "is-it-real-money",
    question: "Do I trade real money?",
    answer:
      "No. Evaluations, and funded accounts unless we tell you otherwise in writing, run on simulated " +
      "trading accounts: your orders are not sent to a real market. The only money you risk is the fee you " +
      "pay for the challenge.\n\nThe risk disclosure explains what that means in detail.",
  },
  {
    category: "general",
    slug: "who-can-join",
    question: "Who can take a challenge?",
    answer: "Anyone at least 18 years old who is allowed to use the service where they live. One person, " +
      "one account. You can sign up and buy a challenge straight away; we verify your identity only " +
      "before a funded account is issued.",
  },
  // challenges
  {
    category: "challenges",
    slug: "one-step-vs-two-step",
    question: "What is the difference between the one-step and the two-step challenge?",
    answer: "A two-step challenge has two phases, each with its own profit target: the Challenge and then " +
      "the Verification. A one-step challenge has a single evaluation phase.\n\nThe families also differ in " +
      "their loss limits, daily reset time and profit split. The challenges page compares every plan side " +
      "by side, and the rules page explains each limit with examples in money.",
  },
  {
    category: "challenges",
    slug: "time-limit",
    question: "Is there a time limit?",
    answer:
      "Only if the plan says so. Each plan shows its time limit on the challenges page; where it says " +
      "Unlimited you can take as long as you need. Where a plan has a limit, a phase that is not passed " +
      "when the time runs out fails.",
  },
  {
    category: "challenges",
    slug: "when-do-i-pass",
    question: "When exactly do I pass a phase?",
    answer: "A phase passes when all of these hold at the same time: your balance has reached the profit " +
      "target with every position closed, you have traded on at least the minimum number of trading days, " +
      "the consistency rule is met if your plan has one, and no loss limit was breached.\n\nThe engine " +
      "checks this live; you do not need to ask for a review.",
  },
  {
    category: "challenges",
    slug: "rules-change-after-purchase",
    question: "Can the rules change after I buy a challenge?",
    answer: "No. Plans are versioned: when we change a plan, the change applies to challenges bought " +
      "afterwards. Your challenge and the funded account that follows it keep the rule version you bought.",
  },
  // rules
  {
    category: "rules",
    slug: "what-is-a-trading-day",
    question: "What counts as a trading day?",
    answer:
      "A trading day runs from one daily reset to the next, in your plan's time zone (daylight saving " +
      "time included). It counts towards the minimum number of trading days when you open at least one " +
      "trade in it.\n\nEach plan shows its reset time, for example midnight in Prague or 17:00 in New York.",
  },
  {
    category: "rules",
    slug: "daily-loss-limit",
    question: "How is the daily loss limit calculated?",
    answer:
      "At each daily reset the engine fixes a level, the anchor: depending on the plan, your balance, " +
      "your equity, or the higher of the two at the reset. During the day your equity (or balance, where " +
      "the plan says so) may not fall more than the daily limit below that anchor.\n\nThe limit is checked " +
      "on every price change, including losses on positions you still hold. A losing position carried " +
      "over the reset can breach the new day's limit without any new trade.",
  },
  {
    category: "rules",
    slug: "max-loss-static-vs-trailing",
    question: "What is the difference between a static and a trailing maximum loss?",
    answer: "With a static maximum loss the floor is fixed: your equity may never fall more than the limit " +
      "below the initial balance.\n\nWith a trailing maximum loss the floor follows your best result, " +
      "either your highest equity or your highest end-of-day balance, depending on the plan. It moves up, " +
      "never down. Some plans stop trailing once the floor reaches a set level, such as the initial " +
      "balance; from then on it stays there.",
  },
  {
    category: "rules",
    slug: "pause-vs-fail",
    question: "Does breaking a limit always fail my account?",
    answer: "It depends on the rule. Falling below the maximum loss floor always fails the account. For " +
      "the daily loss limit each plan says what happens: either the account fails, or your open positions " +
      "are closed and trading is paused until the next daily reset, without failing the account.\n\nA " +
      "failed account stays failed. Every breach is recorded with its evidence: the rule, the floor, the " +
      "value observed and the moment it happened.",
  },
  {
    category: "rules",
    slug: "consistency-rule",
    question: "What is the consistency rule?",
    answer: "Some plans limit how much of your total profit may come from your single best day. If one day " +
      "is too large a share, the rule never fails the account: it only delays the pass until your other " +
      "days catch up. The rules page shows, for each plan, how much total profit you need if you made the " +
      "whole target in one day.",
  },
  // payouts
  {
    category: "payouts",
    slug: "profit-split",
    question: "How much of the profit do I keep?",
    answer: "Your plan's profit split, shown on the challenges page, applies to the profit you make on the " +
      `funded account. For example, with an ${percent("80")} split you receive 80 of every 100 of profit.`,
  },
  {
    category: "payouts",
    slug: "payout-schedule",
    question: "How often can I request a payout?",
    answer: "Each plan sets a payout interval in days and a minimum amount, both shown on the challenges " +
      "page. You can request a payout once per interval, as soon as your profit share is at least the " +
      "minimum.",
  },
  {
    category: "payouts",
    slug: "payout-requirements",
    question: "What do I need before I can be paid?",
    answer: "A verified identity: we verify it before issuing the funded account, and may refuse a payout " +
      "if verification fails or the details you gave are untrue.\n\nFor your protection, requesting a " +
      "payout asks you to confirm your password, or your two-factor code if you use one, when you have not " +
      "done so in the last five minutes. We recommend turning on two-factor authentication.",
  },
  {
    category: "payouts",
    slug: "challenge-fee-refund",
    question: "Is the challenge fee refundable?",
    answer: "A challenge on which you have not placed a trade can be cancelled for a refund by writing to " +
      "support. Once you have placed a trade the evaluation has been provided and the fee is not " +
      "refundable, except where the law of your country says otherwise. The terms of service have the " +
      "details.",
  },
  // platform
  {
    category: "platform",
    slug: "live-rule-checks",
    question: "How quickly are the rules checked?",
    answer: "Live. Every trade and every equity update from the trading platform goes through the rule " +
      "engine as it arrives, and your dashboard shows your balance, equity and distance to each limit " +
      "update in real time.",
  },
  {
    category: "platform",
    slug: "see-my-progress",
    question: "Where can I see my progress?",
    answer: "On your account page: status, balance, equity and every objective of the current phase, with " +
      "the figures behind it, such as today's daily loss floor and when the next reset happens.",
  },
  {
    category: "platform",
    slug: "breach-evidence",
    question: "My account failed. Can I see why?",
    answer: "Yes. Every breach is stored with its evidence: which rule, the floor, the value that went " +
      "below it, the anchor it was measured from, the time, the event that caused it and your open " +
      "positions at that moment. The same inputs always give the same verdict, so support can replay it " +
      "with you.",
  },
  {
    category: "platform",
    slug: "weekend-and-overnight",
    question: "Can I hold positions overnight?",
    answer: "Your loss limits keep applying while positions are open, across daily resets included. A " +
      "position that keeps losing after a reset counts against the new day's limit, so size open " +
      "positions with the next day's floor in mind.",
  },
  // account
  {
    category: "account",
    slug: "two-factor-authentication",
    question: "How do I turn on two-factor authentication?",
    answer: "Go to Account security, scan the QR code with an authenticator app (or type the key shown " +
      "under it) and confirm with a code. Keep the recovery codes you are given somewhere safe: each one " +
      "signs you in once if you lose your phone.",
  },
  {
    category: "account",
    slug: "identity-verification",
    question: "When do I need to verify my identity?",
    answer: "Before your funded account is issued, and in any case before a payout. We ask for an identity " +
      "document, store it privately and only ever show it through short-lived signed links, to you and to " +
      "the staff who check it.",
  },
  {
    category: "account",
    slug: "forgot-password",
    question: "I forgot my password. What now?",
    answer: "Use Forgot password on the sign-in page. We email you a link that works once and expires " +
      "soon after. Choose a new password of at least 12 characters that is not a common one; resetting " +
      "it signs you out on every device.",
  },
  {
    category: "account",
    slug: "sessions-and-devices",
    question: "Can I see where I am signed in?",
    answer: "Yes. Account security lists your active sessions with their device and last activity, and " +
      "lets you sign any of them out immediately.",
  },
];

/**
 * Inserts the seeded entries, published and numbered in order within each category, unless the FAQ already
 * has entries (so seeding the demo data never collides with an FAQ seeded or written earlier). Run inside a
 * transaction.
 *
 * @returns whether anything was inserted.
 */
export async function seedFaq(tx: postgres.TransactionSql): Promise<boolean> {
  // Taken here, not only in seedFaqIfEmpty: seedDemo calls this too, and the two may run at once.
  await tx`select pg_advisory_xact_lock(${FAQ_SEED_LOCK}::int, hashtext(current_schema()))`;
  const [{ empty }] = await tx<{ empty: boolean }[]>`select not exists (select 1 from faq_entries) as empty`;
  if (!empty) return false;
  const positions = new Map<string, number>();
  for (const entry of FAQ_SEED) {
    const position = (positions.get(entry.category) ?? 0) + 10;
    positions.set(entry.category, position);
    await insertFaqEntry(tx, { ...entry, position, published: true });
  }
  return true;
}

/**
 * Seeds the FAQ when `faq_entries` is empty, so an installation that existed before the FAQ gets it too;
 * safe to call on every start-up (an FAQ whose entries staff unpublished is left alone).
 *
 * @returns whether anything was inserted.
 */
export async function seedFaqIfEmpty(db: Db): Promise<boolean> {
  return await db.tx((tx) => seedFaq(tx));
}
