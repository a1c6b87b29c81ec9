import assert from "node:assert/strict";
import { demoPlans, randomPassword, seedDemo } from "./seed.ts";
import { countPlans, listActivePlans } from "../plans/queries.ts";
import { openTestDb } from "../../tests/helpers/db.ts";
import { planDefinitionSchema } from "../plans/definition.ts";
import { verifyPassword } from "../auth/password.ts";
import { deriveTwoFactorKeys } from "../auth/two_factor_keys.ts";
import { totpCode } from "../auth/totp.ts";
import { verifySecondFactor } from "../auth/two_factor.ts";

const TOTP_KEY = await deriveTwoFactorKeys("seed-test-application-secret");

Deno.test("the demo plans are two families in five sizes, each body valid", () => {
  const plans = demoPlans();
  assert.equal(plans.length, 10);
  assert.deepEqual([...new Set(plans.map((p) => p.family))].sort(), ["One-Step", "Two-Step"]);
  assert.equal(new Set(plans.map((p) => p.slug)).size, 10);
  for (const plan of plans) assert.deepEqual(planDefinitionSchema.parse(plan.body), plan.body);
});

Deno.test("seeding fills an empty database once and then does nothing", async () => {
  const db = await openTestDb();
  try {
    // With a real server every test gets a fresh schema; the shared embedded instance is seeded by this test
    // first (it runs before the other database tests of this module) unless some other test got there.
    const [{ empty }] = await db
      .sql`select not exists (select 1 from plans) and not exists (select 1 from users) as empty`;
    const credentials = await seedDemo(db, TOTP_KEY);
    if (!empty) {
      assert.equal(credentials, null, "a database with data is left alone");
      return;
    }
    assert.ok(credentials);
    assert.equal(await countPlans(db), 10);

    const users = await db.sql<{ email: string; role: string; password_hash: string }[]>`
      select email, role, password_hash from users
      where email in (${credentials.trader.email}, ${credentials.admin.email}) order by email`;
    assert.deepEqual(users.map((u) => [u.email, u.role]), [
      ["admin@demo.proptrade.test", "admin"],
      ["trader@demo.proptrade.test", "trader"],
    ]);
    assert.equal(await verifyPassword(users[0].password_hash, credentials.admin.password), true);
    assert.equal(await verifyPassword(users[1].password_hash, credentials.trader.password), true);
    assert.notEqual(credentials.admin.password, credentials.trader.password);

    // Staff need 2FA: the demo admin is enrolled, with the key printed once beside the password.
    assert.match(credentials.admin.totpUri, /^otpauth:\/\/totp\/.*secret=/);
    const [{ id: adminId }] = await db.sql`select id from users where email = ${credentials.admin.email}`;
    const code = totpCode(credentials.admin.totpSecret, new Date());
    const actor = { userId: adminId, ip: null, userAgent: null };
    assert.equal(await db.tx((tx) => verifySecondFactor(tx, TOTP_KEY, adminId, code, actor)), true);

    assert.equal(await seedDemo(db, TOTP_KEY), null);
    assert.equal(await countPlans(db), 10);
    const [{ n }] = await db.sql`select count(*)::int as n from users`;
    assert.equal(n, 2);

    // The seeded figures come back exactly as written, as strings.
    const plans = await listActivePlans(db);
    const twoStep100k = plans.find((p) => p.slug === "two-step-100k");
    assert.ok(twoStep100k);
    assert.deepEqual(
      [
        twoStep100k.name,
        twoStep100k.currency,
        twoStep100k.initialBalance,
        twoStep100k.price,
        twoStep100k.version,
      ],
      ["Two-Step 100K", "USD", "100000.00", "540.00", 1],
    );
    assert.deepEqual(twoStep100k.definition.phases.map((p) => p.profitTarget), [{ percent: "10" }, {
      percent: "5",
    }]);
    assert.deepEqual(twoStep100k.definition.reset, { timeZone: "Europe/Prague", time: "00:00" });
    const oneStep = plans.filter((p) => p.family === "One-Step");
    assert.deepEqual(oneStep.map((p) => p.initialBalance), [
      "10000.00",
      "25000.00",
      "50000.00",
      "100000.00",
      "200000.00",
    ]);
    assert.deepEqual(oneStep[0].definition.phases[0].maxLoss, {
      percent: "6",
      mode: "trailing_eod",
      lockAtOffset: "0.00",
    });
  } finally {
    await db.close();
  }
});

Deno.test("seeding leaves a database that already has users alone", async () => {
  const db = await openTestDb();
  try {
    const email = `someone-${crypto.randomUUID()}@example.test`;
    await db.sql`insert into users (email, password_hash) values (${email}, 'x')`;
    const plansBefore = await countPlans(db);
    assert.equal(await seedDemo(db, TOTP_KEY), null);
    assert.equal(await countPlans(db), plansBefore);
  } finally {
    await db.close();
  }
});

Deno.test("generated passwords are long, from the unambiguous alphabet and different each time", () => {
  const passwords = Array.from({ length: 50 }, () => randomPassword());
  for (const pw of passwords) assert.match(pw, /^[A-HJ-NP-Za-km-z2-9]{20}$/);
  assert.equal(new Set(passwords).size, 50);
  assert.equal(randomPassword(32).length, 32);
});
