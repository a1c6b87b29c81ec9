import assert from "node:assert/strict";
import { openTestApp, webhookProviderApp } from "./helpers/app.ts";
import {
  client,
  islandsOf,
  makeStaff,
  signUp,
  strongPassword,
  type TestClient,
  uniqueEmail,
} from "./helpers/client.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";
import { cookieFor } from "./helpers/staff_pages.ts";
import { textOf } from "./helpers/html.ts";

const HTML = "text/html; charset=utf-8";

/** The cookies a response sets, as a request's `Cookie` header (cleared ones left out). */
function cookiesFrom(res: Response): string {
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).filter((c) => !c.endsWith("=")).join("; ");
}

/** A form POST as a browser sends it from one of our pages. */
function post(c: TestClient, path: string, fields: Record<string, string>, cookie = "") {
  return c.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "sec-fetch-site": "same-origin", ...(cookie ? { cookie } : {}) },
  });
}

/** The value of the hidden input `name`. */
function hidden(html: string, name: string): string {
  const value = html.match(new RegExp(`<input type="hidden" name="${name}" value="([^"]+)"`))?.[1];
  assert.ok(value, `no hidden ${name}`);
  return value;
}

Deno.test("checkout pages: sign in and back, coupon inline, pay once, land on the account page", async (t) => {
  const { app, deps, inbox, close } = await openTestApp();
  const c = client(app);
  try {
    // A plan and a coupon nobody else has: tests share a database.
    const tag = crypto.randomUUID().slice(0, 8);
    const base = demoPlans().find((p) => p.slug === "two-step-25k")!.body;
    const body = { ...base, name: `Checkout ${tag}`, initialBalance: "25000.00", price: "250.00" };
    const { planId } = await deps.db.tx((tx) =>
      insertPlan(tx, { slug: `checkout-${tag}`, family: `Family${tag}`, body })
    );
    const code = `SAVE${tag.toUpperCase()}`;
    await deps.db.sql`insert into coupons (code, kind, value) values (${code}, 'percent', 10)`;
    const checkout = `/checkout/${planId}`;
    let cookie = "";
    let accountPath = "";

    await t.step("the challenges page links the plan to its checkout", async () => {
      const html = await (await c.request("/challenges?size=25K")).text();
      assert.ok(html.includes(`href="${checkout}"`));
    });

    await t.step("anonymous: sent to sign in with next, and from there to sign up with next", async () => {
      const res = await c.request(checkout);
      assert.equal(res.status, 303);
      const location = res.headers.get("location")!;
      assert.equal(location, `/signin?next=${encodeURIComponent(checkout)}`);
      const signin = await (await c.request(location)).text();
      assert.match(signin, new RegExp(`<input type="hidden" name="next" value="${checkout}"/>`));
      assert.ok(signin.includes(`href="/signup?next=${encodeURIComponent(checkout)}"`));
    });

    await t.step(
      "sign up with next: confirm by mail, sign in, back at checkout; foreign next ignored",
      async () => {
        const signup = await (await c.request(`/signup?next=${encodeURIComponent(checkout)}`)).text();
        assert.equal(hidden(signup, "next"), checkout);
        const evil = await c.request("/signup?next=%2F%2Fevil.example%2Fcheckout");
        assert.doesNotMatch(await evil.text(), /name="next"/);
        const email = uniqueEmail("buyer");
        const password = strongPassword();
        const res = await post(c, "/signup", {
          email,
          password,
          firstName: "Bea",
          lastName: "Buyer",
          next: checkout,
        });
        assert.equal(res.status, 200);
        assert.equal(cookiesFrom(res), "", "no session before the address is confirmed");
        const sent = await res.text();
        assert.match(sent, /Check your inbox/);
        assert.ok(sent.includes(`href="/signin?next=${encodeURIComponent(checkout)}"`));

        // The emailed link carries `next` through confirming and signing in.
        const link = inbox.linkIn(email, "/verify-email");
        assert.ok(link.endsWith(`&next=${encodeURIComponent(checkout)}`), link);
        const confirm = await (await c.request(link)).text();
        assert.equal(hidden(confirm, "next"), checkout);
        const verified = await post(c, "/verify-email", { token: hidden(confirm, "token"), next: checkout });
        assert.equal(verified.status, 303);
        const signinAt = verified.headers.get("location")!;
        assert.equal(signinAt, `/signin?verified=1&next=${encodeURIComponent(checkout)}`);
        const signin = await (await c.request(signinAt)).text();
        assert.equal(hidden(signin, "next"), checkout);
        const signedIn = await post(c, "/signin", { email, password, next: checkout });
        assert.equal(signedIn.status, 303);
        assert.equal(signedIn.headers.get("location"), checkout);
        cookie = cookiesFrom(signedIn);
        assert.match(cookie, /pt_access=/);
        const open = await post(c, "/signup", {
          email: uniqueEmail(),
          password: "short",
          next: "https://evil.example",
        });
        assert.equal(open.status, 422);
        assert.doesNotMatch(await open.text(), /evil\.example/);
      },
    );

    await t.step("checkout: 200, HTML, no island but the bell, plan summary, key rules, price", async () => {
      const res = await c.request(checkout, { headers: { cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const html = await res.text();
      assert.deepEqual(islandsOf(html), ["NotificationBell"]); // no script of its own
      assert.equal(html.match(/<h1[\s>]/g)?.length, 1);
      const text = textOf(html);
      assert.match(text, new RegExp(`Family${tag} · 25K`));
      assert.match(text, /\$25,000 evaluation account, 2 phases/);
      assert.match(
        text,
        /Daily loss Equity may fall at most \$1,250 \(5 % of the initial balance\) below the day's starting balance/,
      );
      assert.match(text, /Total \$250 /);
      assert.match(text, /Pay \$250/);
      assert.match(html, /<label for="coupon"[^>]*>Coupon code<\/label>/);
    });

    await t.step("unknown or malformed plan ids: the 404 page", async () => {
      for (const path of [`/checkout/${crypto.randomUUID()}`, "/checkout/not-a-plan"]) {
        const res = await c.request(path, { headers: { cookie } });
        assert.equal(res.status, 404, path);
        assert.equal(res.headers.get("content-type"), HTML);
        assert.match(await res.text(), /This page does not exist/);
      }
    });

    await t.step("a wrong coupon: 422, the error next to the field, the price unchanged", async () => {
      const res = await post(c, checkout, { intent: "apply", coupon: "NOPE-123" }, cookie);
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      const input = html.match(/<input[^>]*name="coupon"[^>]*>/)?.[0] ?? "";
      assert.match(input, /value="NOPE-123"/);
      assert.match(input, /aria-invalid="true"/);
      assert.match(input, /aria-describedby="coupon-error"/);
      assert.match(html, /id="coupon-error"[^>]*>[\s\S]*?Coupon code is not a valid code\./);
      assert.match(textOf(html), /Pay \$250/);
    });

    await t.step("a used-up coupon: the reason next to the field, the price without it", async () => {
      const usedUp = `USED${tag.toUpperCase()}`;
      await deps.db.sql`
        insert into coupons (code, kind, value, max_redemptions) values (${usedUp}, 'percent', 10, 1)`;
      // Another buyer takes the only use, on another plan.
      const { planId: otherPlan } = await deps.db.tx((tx) =>
        insertPlan(tx, { slug: `checkout-other-${tag}`, family: `Family${tag}`, body })
      );
      const other = await signUp(app);
      const bought = await c.json("POST", "/api/challenges/purchase", { planId: otherPlan, coupon: usedUp }, {
        bearer: other.accessToken,
      });
      assert.equal(bought.status, 201);
      await bought.body?.cancel();
      const res = await post(c, checkout, { intent: "apply", coupon: usedUp }, cookie);
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.match(html, /id="coupon-error"[^>]*>[\s\S]*?Coupon code has been used up\./);
      assert.match(textOf(html), /Pay \$250/);
    });

    let token = "";
    await t.step("a good coupon (any case): the discount and the new total", async () => {
      const res = await post(c, checkout, { intent: "apply", coupon: ` ${code.toLowerCase()} ` }, cookie);
      assert.equal(res.status, 200);
      const html = await res.text();
      const text = textOf(html);
      assert.match(text, new RegExp(`Coupon ${code} \\(10 % off\\) −\\$25`));
      assert.match(text, /Total \$225 /);
      assert.match(text, /Pay \$225/);
      token = hidden(html, "token");
    });

    await t.step("a tampered token is refused inline; nothing is bought", async () => {
      const res = await post(c, checkout, { intent: "pay", token: token.slice(0, -4) + "AAAA" }, cookie);
      assert.equal(res.status, 409);
      assert.match(await res.text(), /This checkout page was open too long/);
      const [{ n }] = await deps.db.sql`select count(*)::int as n from orders o
        join plan_versions v on v.id = o.plan_version_id where v.plan_id = ${planId}`;
      assert.equal(n, 0);
    });

    await t.step("pay: 303 to the new account's page, which shows it active with its balance", async () => {
      const res = await post(c, checkout, { intent: "pay", token }, cookie);
      assert.equal(res.status, 303, await res.clone().text());
      accountPath = res.headers.get("location")!.replace(/\?purchased=1$/, "");
      assert.match(accountPath, /^\/dashboard\/accounts\/[0-9a-f-]{36}$/);
      const page = await c.request(`${accountPath}?purchased=1`, { headers: { cookie } });
      assert.equal(page.status, 200);
      assert.equal(page.headers.get("content-type"), HTML);
      const text = textOf(await page.text());
      assert.match(text, /Payment received/);
      assert.match(text, new RegExp(`Checkout ${tag}`));
      assert.match(text, /Phase 1: Challenge Active/);
      assert.match(text, /Balance \$25,000 Equity \$25,000/);
      assert.match(text, /Reach a balance of \$27,500 \(a profit of \$2,500\) with no open positions/);
      assert.match(text, /Today your equity \(including open positions\) must stay at or above \$23,750/);
    });

    await t.step("the same Pay sent again buys nothing more and lands on the same account", async () => {
      const again = await post(c, checkout, { intent: "pay", token }, cookie);
      assert.equal(again.status, 303);
      assert.equal(again.headers.get("location"), `${accountPath}?purchased=1`);
      const [{ n, amount }] = await deps.db.sql`
        select count(*)::int as n, max(o.amount)::text as amount from orders o
        join plan_versions v on v.id = o.plan_version_id where v.plan_id = ${planId}`;
      assert.equal(n, 1);
      assert.equal(amount, "225.00");
      const dashboard = await c.request("/dashboard", { headers: { cookie } });
      assert.equal(dashboard.status, 200);
      const html = await dashboard.text();
      assert.ok(html.includes(`href="${accountPath}"`));
      assert.match(
        textOf(html),
        new RegExp(`Checkout ${tag} Phase 1: Challenge Active Balance \\$25,000 Equity \\$25,000`),
      );
    });

    /** Orders placed for the test's plan so far. */
    const orders = async () =>
      (await deps.db.sql<{ n: number }[]>`select count(*)::int as n from orders o
        join plan_versions v on v.id = o.plan_version_id where v.plan_id = ${planId}`)[0].n;

    await t.step("three Pays of one page at once (double click): one purchase", async () => {
      const fresh = hidden(await (await c.request(checkout, { headers: { cookie } })).text(), "token");
      const before = await orders();
      const responses = await Promise.all(
        [1, 2, 3].map(() => post(c, checkout, { intent: "pay", token: fresh }, cookie)),
      );
      const locations = responses.map((r) => r.headers.get("location") ?? String(r.status));
      assert.match(locations[0], /^\/dashboard\/accounts\/[0-9a-f-]{36}\?purchased=1$/);
      assert.deepEqual(
        locations,
        [locations[0], locations[0], locations[0]],
        "all three land on one account",
      );
      assert.equal(await orders(), before + 1);
    });

    await t.step("the price changed after the page was opened: shown first, nothing charged", async () => {
      const fresh = hidden(await (await c.request(checkout, { headers: { cookie } })).text(), "token");
      const before = await orders();
      await deps.db.sql`update plan_versions set price = 260 where plan_id = ${planId}`;
      try {
        const res = await post(c, checkout, { intent: "pay", token: fresh }, cookie);
        assert.equal(res.status, 409);
        const text = textOf(await res.text());
        assert.match(text, /The total changed to \$260 since this page was opened\. Nothing was charged/);
        assert.match(text, /Pay \$260/);
        assert.equal(await orders(), before);
      } finally {
        await deps.db.sql`update plan_versions set price = 250 where plan_id = ${planId}`;
      }
    });

    await t.step("a cross-site Pay is refused", async () => {
      const res = await c.request(checkout, {
        method: "POST",
        body: new URLSearchParams({ intent: "pay", token }),
        headers: { cookie, "sec-fetch-site": "cross-site" },
      });
      assert.equal(res.status, 403);
      await res.body?.cancel();
    });

    await t.step(
      "another trader gets 404 on the account page; staff who may read accounts see it",
      async () => {
        const other = await signUp(app);
        const res = await c.request(accountPath, { headers: { cookie: cookieFor(other) } });
        assert.equal(res.status, 404);
        assert.equal(res.headers.get("content-type"), HTML);
        assert.match(await res.text(), /This page does not exist/);
        const [denied] = await deps.db.sql`
          select target_id from audit_log where actor_id = ${other.userId} and action = 'authz.denied'
            and target_type = 'account'`;
        assert.equal(denied?.target_id, accountPath.split("/").at(-1), "the refused read is audited");
        const support = await makeStaff(deps, "support");
        const staff = await c.request(accountPath, { headers: { cookie: cookieFor(support) } });
        assert.equal(staff.status, 200);
        assert.match(await staff.text(), /You are viewing a trader(&#x27;|')s account as staff\./);
      },
    );

    await t.step("signed out: the dashboard pages send to sign in with next", async () => {
      for (const path of ["/dashboard", accountPath]) {
        const res = await c.request(path);
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), `/signin?next=${encodeURIComponent(path)}`);
      }
    });
  } finally {
    await close();
  }
});

Deno.test("checkout pages: with the webhook provider, Pay leaves the order awaiting payment", async () => {
  const { deps, close } = await openTestApp();
  try {
    const app = await webhookProviderApp(deps);
    const c = client(app);
    const tag = crypto.randomUUID().slice(0, 8);
    const base = demoPlans().find((p) => p.slug === "two-step-25k")!.body;
    const { planId } = await deps.db.tx((tx) =>
      insertPlan(tx, { slug: `awaiting-${tag}`, family: `Family${tag}`, body: { ...base, price: "199.00" } })
    );
    const trader = await signUp(app);
    const cookie = cookieFor(trader);
    const checkout = `/checkout/${planId}`;
    const token = hidden(await (await c.request(checkout, { headers: { cookie } })).text(), "token");

    const res = await post(c, checkout, { intent: "pay", token }, cookie);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), HTML);
    const text = textOf(await res.text());
    const [order] = await deps.db.sql`
      select o.id, o.status, o.amount::text from orders o where o.user_id = ${trader.userId}`;
    assert.deepEqual([order.status, order.amount], ["pending", "199.00"]);
    assert.match(text, /Awaiting payment/);
    assert.match(text, /Your order of \$199 is waiting for the payment provider to confirm the payment/);
    assert.ok(text.includes(`Order reference ${order.id}`));
    const [{ n }] = await deps.db.sql`select count(*)::int as n from challenges where order_id = ${order.id}`;
    assert.equal(n, 0, "nothing opens before the provider confirms");

    // The same Pay again is the same order, still awaiting: nothing is placed twice.
    const again = await post(c, checkout, { intent: "pay", token }, cookie);
    assert.equal(again.status, 200);
    assert.ok(textOf(await again.text()).includes(`Order reference ${order.id}`));
    const [{ orders }] = await deps.db.sql`
      select count(*)::int as orders from orders where user_id = ${trader.userId}`;
    assert.equal(orders, 1);
  } finally {
    await close();
  }
});
