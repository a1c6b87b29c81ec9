/**
 * Demo data for a fresh installation: two plan families in five sizes each, a demo trader and a demo admin,
 * and — given the app's services — the demo trader's trading history (world.ts). Runs only on an empty
 * database (no plans and no users), all in one transaction, so it is safe to call on every start-up and a
 * failure leaves nothing half seeded.
 */
import type postgres from "postgres";
import type { Db, Tx } from "../../db/client.ts";
import type { Deps } from "../deps.ts";
import { MemoryBus } from "../bus/mod.ts";
import { sha256HexSync } from "../engine/canonical.ts";
import { buildDemoWorld, type DemoWorld } from "./world.ts";
import { log } from "../log.ts";
import { insertPlan } from "../plans/queries.ts";
import { seedFaq } from "../faq/seed.ts";
import { hashPassword } from "../auth/password.ts";
import { sealTotpSecret, type TwoFactorKeys } from "../auth/two_factor_keys.ts";
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
  /** The demo trader's accounts, when the world was built (see `SeedOptions.world`). */
  world: DemoWorld | null;
};

export interface SeedOptions {
  /**
   * The app's services: with them the demo trader gets their trading history, bought and traded through the
   * live paths (checkout, sync, scheduler). Not in production, where the demo payment provider is refused.
   */
  world?: Deps;
  /** Where the history ends (default: now). */
  now?: Date;
  /** The history's random seed: the same seed and `now` give the same trades and evidence. */
  seed?: string;
}

/** The demo admin, who approves the demo trader's KYC and payout. */
export const DEMO_ADMIN_EMAIL = "admin@demo.proptrade.test";

/** The default seed of the demo world. */
export const DEMO_SEED = "proptrade-demo-1";

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
export async function seedDemo(
  db: Db,
  totpKey: TwoFactorKeys,
  options: SeedOptions = {},
): Promise<DemoCredentials | null> {
  const plans = demoPlans();
  const now = options.now ?? new Date();
  const world = options.world && options.world.config.env !== "production" ? options.world : null;
  const adminEmail = DEMO_ADMIN_EMAIL;
  const totpSecret = newTotpSecret();
  const credentials: DemoCredentials = {
    trader: { email: "trader@demo.proptrade.test", password: randomPassword() },
    admin: {
      email: adminEmail,
      password: randomPassword(),
      totpSecret,
      totpUri: totpUri(totpSecret, adminEmail),
    },
    world: null,
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
    for (const plan of plans) {
      const { versionId } = await insertPlan(tx, plan);
      // The engine names a plan version in breach evidence (its rule version), so demo evidence hashes are
      // reproducible across installations only if the demo versions' ids are: derived from the slug.
      await tx`update plan_versions set id = ${demoVersionId(plan.slug)} where id = ${versionId}`;
    }
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
      values (${admin.id}, ${await sealTotpSecret(totpKey, totpSecret, admin.id)}, now())`;
    if (world) {
      const trader = users.find((u) => u.role === "trader")!;
      const seed = options.seed ?? DEMO_SEED;
      try {
        // In a savepoint: the history is a showcase, and a failure to build it must not keep a fresh
        // installation from starting (the plans and users stay; seed_test.ts makes sure it does not fail).
        credentials.world = await tx.savepoint((sp) =>
          worldIn(world, sp, trader.id, { now, seed, staffId: admin.id })
        ) as DemoWorld;
      } catch (error) {
        log.error("the demo trader's history could not be built; seeded without it", {
          scope: "demo",
          error,
        });
      }
    }
    return credentials;
  });
}

/**
 * Builds the demo trader's history for `userId` in a transaction of its own (the plans and the demo admin
 * must exist): what `seedDemo` does for the demo trader, for tests that compare two histories in one database.
 */
export async function seedDemoWorld(
  deps: Deps,
  userId: string,
  opts: { now: Date; seed?: string },
): Promise<DemoWorld> {
  const [admin] = await deps.db.sql<{ id: string }[]>`select id from users where email = ${DEMO_ADMIN_EMAIL}`;
  if (!admin) throw new Error("the demo admin is missing: seed the database first");
  return await deps.db.tx((tx) =>
    worldIn(deps, tx, userId, { now: opts.now, seed: opts.seed ?? DEMO_SEED, staffId: admin.id })
  );
}

async function worldIn(
  deps: Deps,
  tx: Tx,
  userId: string,
  opts: { now: Date; seed: string; staffId: string },
) {
  const world = await buildDemoWorld(inTransaction(deps, tx), userId, opts);
  await backdate(tx, userId);
  // The history's notifications (phases passed, the breach, KYC) stay in the app, unread, but are not
  // mailed: the notification mailer would otherwise send weeks-old news on the first start.
  await tx`update notifications set mail_state = 'none' where user_id = ${userId} and mail_state = 'pending'`;
  return world;
}

/**
 * `deps` with the database bound to the seed's transaction (the live paths' own transactions run inside it)
 * and a private bus: the accounts are created in this transaction, so nobody can be listening to them yet,
 * and their change log is in the database for any stream that opens later. Checkout uses the demo provider.
 * Nobody is mailed: the payout mails of a history weeks old would arrive today (and fill the dev log).
 */
function inTransaction(deps: Deps, tx: Tx): Deps {
  const db: Db = {
    sql: tx as unknown as postgres.Sql,
    kind: deps.db.kind,
    tx: (fn) => fn(tx),
    ping: async () => {},
    pool: deps.db.pool,
    close: async () => {},
  };
  return {
    ...deps,
    db,
    bus: new MemoryBus(),
    mailer: { send: () => Promise.resolve() },
    config: { ...deps.config, paymentProvider: "demo" },
  };
}

/**
 * The history happened in the past, but rows take the transaction's time as their creation time: dated back
 * to when the story made them (orders when paid, challenges when started, accounts when opened, payouts when
 * requested), so lists ordered by creation read in the story's order.
 */
async function backdate(tx: Tx, userId: string): Promise<void> {
  await tx`update orders set created_at = paid_at, updated_at = paid_at where user_id = ${userId}`;
  await tx`update challenges set created_at = started_at where user_id = ${userId}`;
  await tx`update payouts set created_at = requested_at where user_id = ${userId}`;
  await tx`
    update accounts a set created_at = (select min(c.at) from account_changes c where c.account_id = a.id)
    where a.user_id = ${userId}`;
}

/** A UUID (version 8, RFC 9562) derived from the demo plan's slug: the same on every installation. */
export function demoVersionId(slug: string): string {
  const hex = sha256HexSync(`proptrade-demo-plan-version:${slug}:1`).slice(0, 32).split("");
  hex[12] = "8";
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
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
