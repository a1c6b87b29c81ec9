/**
 * Demo data for a fresh installation: two plan families in five sizes each, a demo trader and a demo admin.
 * Runs only on an empty database (no plans and no users), so it is safe to call on every start-up.
 */
import { seedPayoutDemo } from "../payouts/demo.ts";
import type { Db } from "../../db/client.ts";
import { insertPlan } from "../plans/queries.ts";
import { seedFaq } from "../faq/seed.ts";
import { hashPassword } from "../auth/password.ts";
import { seal } from "../auth/secret_box.ts";
import type { TwoFactorKeys } from "../auth/two_factor_keys.ts";
import { newTotpSecret, totpUri } from "../auth/totp.ts";
import {
  type DailyLossRule,
  type MaxLossRule,
  type PlanDefinition,
  planDefinitionSchema,
} from "../plans/definition.ts";

export type DemoCredentials = {
  trader: { email: string; password: string };
  /**
   * Staff need 2FA before the back office answers them, so the demo admin comes enrolled: `totpSecret` (and
   * the same as an `otpauth:` URI) goes into an authenticator app, once, like the password.
   */
  admin: { email: string; password: string; totpSecret: string; totpUri: string };
};

/** Serializes concurrent seeders (two processes starting at once); "PRPS". */
const SEED_LOCK = 0x50525053;

/** Account sizes and prices per family. Prices are list prices in the plan currency. */
const SIZES: { label: string; balance: string; twoStep: string; oneStep: string }[] = [
  { label: "10K", balance: "10000.00", twoStep: "99.00", oneStep: "109.00" },
  { label: "25K", balance: "25000.00", twoStep: "199.00", oneStep: "229.00" },
  { label: "50K", balance: "50000.00", twoStep: "329.00", oneStep: "369.00" },
  { label: "100K", balance: "100000.00", twoStep: "540.00", oneStep: "599.00" },
  { label: "200K", balance: "200000.00", twoStep: "1080.00", oneStep: "1199.00" },
];

/** The seeded plans as `{slug, family, body}`, every body validated. Exported for tests and docs. */
export function demoPlans(): { slug: string; family: string; body: PlanDefinition }[] {
  return SIZES.flatMap((size) => [
    {
      slug: `two-step-${size.label.toLowerCase()}`,
      family: "Two-Step",
      body: planDefinitionSchema.parse(twoStep(size.label, size.balance, size.twoStep)),
    },
    {
      slug: `one-step-${size.label.toLowerCase()}`,
      family: "One-Step",
      body: planDefinitionSchema.parse(oneStep(size.label, size.balance, size.oneStep)),
    },
  ]);
}

function twoStep(label: string, initialBalance: string, price: string): PlanDefinition {
  // FTMO-style: 5 % of the initial balance below the start-of-day balance, measured on equity.
  const dailyLoss: DailyLossRule = {
    percent: "5",
    of: "initial",
    anchor: "sod_balance",
    on: "equity",
    action: "fail",
  };
  const maxLoss: MaxLossRule = { percent: "10", mode: "static", lockAtOffset: null };
  const phase = (name: string, target: string) => ({
    name,
    profitTarget: { percent: target },
    dailyLoss,
    maxLoss,
    minTradingDays: 4,
    timeLimitDays: null,
    bestDayMaxPercent: null,
  });
  return {
    name: `Two-Step ${label}`,
    currency: "USD",
    initialBalance,
    price,
    reset: { timeZone: "Europe/Prague", time: "00:00" },
    phases: [phase("Challenge", "10"), phase("Verification", "5")],
    funded: { profitSplitPercent: "80", minPayout: "100.00", payoutIntervalDays: 14, dailyLoss, maxLoss },
  };
}

function oneStep(label: string, initialBalance: string, price: string): PlanDefinition {
  const dailyLoss: DailyLossRule = {
    percent: "3",
    of: "initial",
    anchor: "sod_max",
    on: "equity",
    action: "fail",
  };
  // The end-of-day trailing floor stops once it reaches the initial balance (offset 0.00).
  const maxLoss: MaxLossRule = { percent: "6", mode: "trailing_eod", lockAtOffset: "0.00" };
  return {
    name: `One-Step ${label}`,
    currency: "USD",
    initialBalance,
    price,
    // Forex day roll-over: 17:00 New York.
    reset: { timeZone: "America/New_York", time: "17:00" },
    phases: [{
      name: "Evaluation",
      profitTarget: { percent: "10" },
      dailyLoss,
      maxLoss,
      minTradingDays: 3,
      timeLimitDays: null,
      bestDayMaxPercent: "50",
    }],
    funded: { profitSplitPercent: "90", minPayout: "100.00", payoutIntervalDays: 14, dailyLoss, maxLoss },
  };
}

/**
 * Seeds the demo plans and users in one transaction when the database has neither plans nor users.
 *
 * @returns the demo users' generated passwords (print them once; only their hashes are stored), or `null`
 * when the database already had data and nothing was done.
 */
export async function seedDemo(db: Db, totpKey: TwoFactorKeys): Promise<DemoCredentials | null> {
  const plans = demoPlans();
  const adminEmail = "admin@demo.proptrade.test";
  const totpSecret = newTotpSecret();
  const credentials: DemoCredentials = {
    trader: { email: "trader@demo.proptrade.test", password: randomPassword() },
    admin: {
      email: adminEmail,
      password: randomPassword(),
      totpSecret,
      totpUri: totpUri(totpSecret, adminEmail),
    },
  };
  const [traderHash, adminHash] = await Promise.all([
    hashPassword(credentials.trader.password),
    hashPassword(credentials.admin.password),
  ]);
  return await db.tx(async (tx) => {
    await tx`select pg_advisory_xact_lock(${SEED_LOCK}::int, hashtext(current_schema()))`;
    const [{ empty }] = await tx<{ empty: boolean }[]>`
      select not exists (select 1 from plans) and not exists (select 1 from users) as empty`;
    if (!empty) return null;
    const versions: string[] = [];
    for (const plan of plans) versions.push((await insertPlan(tx, plan)).versionId);
    await seedFaq(tx);
    const users = await tx<{ id: string; role: string }[]>`
      insert into users (email, password_hash, first_name, last_name, country, role, email_verified_at)
      values
        (${credentials.trader.email}, ${traderHash}, 'Demo', 'Trader', 'CZ', 'trader', now()),
        (${credentials.admin.email}, ${adminHash}, 'Demo', 'Admin', 'CZ', 'admin', now())
      returning id, role`;
    const admin = users.find((u) => u.role === "admin")!;
    // Sealed and bound to the user id exactly as services/auth/two_factor.ts enrols a secret.
    await tx`
      insert into user_totp (user_id, secret_encrypted, enabled_at)
      values (${admin.id}, ${await seal(totpKey.seal, totpSecret, admin.id)}, now())`;
    const trader = users.find((u) => u.role === "trader")!;
    await seedPayoutDemo(tx, { traderId: trader.id, adminId: admin.id, planVersionId: versions[0] });
    return credentials;
  });
}

/** Unambiguous characters (no 0/O, 1/l/I); 20 of them ≈ 113 bits of entropy. */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A random password of `length` characters, drawn without modulo bias. */
export function randomPassword(length = 20): string {
  const out: string[] = [];
  // Largest multiple of the alphabet size below 256: bytes above it are discarded so every char is equiprobable.
  const limit = 256 - (256 % ALPHABET.length);
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out.push(ALPHABET[byte % ALPHABET.length]);
    }
  }
  return out.join("");
}
