import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, strongPassword, type TestClient, uniqueEmail } from "./helpers/client.ts";

const HTML = "text/html; charset=utf-8";

/** A form POST as a browser sends it from one of our pages. */
function post(c: TestClient, path: string, fields: Record<string, string>, headers: HeadersInit = {}) {
  return c.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "sec-fetch-site": "same-origin", ...headers },
  });
}

/** The cookies a response sets, as a request's `Cookie` header (cleared ones left out). */
function cookiesFrom(res: Response): string {
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).filter((c) => !c.endsWith("=")).join("; ");
}

/** The start tag of the input named `name`. */
function inputTag(html: string, name: string): string {
  const tag = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`))?.[0];
  assert.ok(tag, `no input named ${name}`);
  return tag;
}

Deno.test("auth pages: render, validate inline, sign in and out, refuse cross-site posts", async (t) => {
  const { app, inbox, close } = await openTestApp();
  // Its own address: rate limits are per IP and, with REDIS_URL, outlive the run.
  const c = client(app);
  const PASSWORD = strongPassword();
  try {
    await t.step("every page renders as HTML without scripts", async () => {
      const pages: [string, RegExp][] = [
        ["/signin", /<h1[^>]*>Sign in<\/h1>/],
        ["/signup", /<h1[^>]*>Create your account<\/h1>/],
        ["/forgot-password", /<h1[^>]*>Reset your password<\/h1>/],
        ["/reset-password?token=abc", /<h1[^>]*>Choose a new password<\/h1>/],
        ["/reset-password", /needs the link from your password reset email/],
        ["/verify-email?token=abc", /Confirm my email address/],
        ["/verify-email", /Open the link from the email/],
        ["/signout", /You are signed out/],
      ];
      for (const [path, expected] of pages) {
        const res = await c.request(path);
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get("content-type"), HTML, path);
        const html = await res.text();
        assert.match(html, expected, path);
        assert.doesNotMatch(html, /<script/i, path);
        assert.match(html, /href="\/signin"[^>]*>Sign in</, `${path}: anonymous header`);
      }
    });

    await t.step("forms carry labels and autocomplete hints", async () => {
      const signin = await (await c.request("/signin")).text();
      assert.match(signin, /<label for="email"[^>]*>Email<\/label>/);
      assert.match(inputTag(signin, "email"), /autocomplete="username"/);
      assert.match(inputTag(signin, "password"), /autocomplete="current-password"/);
      const signup = await (await c.request("/signup")).text();
      assert.match(inputTag(signup, "email"), /autocomplete="email"/);
      assert.match(inputTag(signup, "password"), /autocomplete="new-password"/);
      assert.match(inputTag(signup, "password"), /aria-describedby="password-hint"/);
      assert.match(signup, /id="password-hint"[^>]*>At least 12 characters/);
    });

    await t.step("account page sends anonymous visitors to sign in", async () => {
      const res = await c.request("/account/security?section=x");
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/signin?next=%2Faccount%2Fsecurity%3Fsection%3Dx");
    });

    await t.step("sign-up with a weak password: 422, the error inline, typed values kept", async () => {
      const email = uniqueEmail("weak");
      const res = await post(c, "/signup", { email, password: "short", firstName: "Ada", lastName: "" });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      const password = inputTag(html, "password");
      assert.match(password, /aria-invalid="true"/);
      assert.match(password, /aria-describedby="password-hint password-error"/);
      assert.doesNotMatch(password, /value=/);
      assert.match(html, /<p id="password-error"[^>]*>.*<span>[^<]*12 characters[^<]*<\/span><\/p>/s);
      assert.match(inputTag(html, "email"), new RegExp(`value="${email}"`));
      assert.match(inputTag(html, "firstName"), /value="Ada"/);
      assert.match(html, /role="alert"/);
    });

    const email = uniqueEmail("pages");
    let session = "";

    await t.step("sign-up mails a link; confirming it leads to sign-in, which welcomes them", async () => {
      const res = await post(c, "/signup", { email, password: PASSWORD, firstName: "Ada", lastName: "L" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.equal(cookiesFrom(res), "");
      assert.match(await res.text(), /Check your inbox/);

      const link = inbox.linkIn(email, "/verify-email");
      const confirm = await c.request(link);
      assert.equal(confirm.status, 200);
      const token = inbox.tokenIn(email, "/verify-email");
      assert.match(await confirm.text(), /Confirm my email address/);
      const verified = await post(c, "/verify-email", { token });
      assert.equal(verified.status, 303);
      assert.equal(verified.headers.get("location"), "/signin?verified=1");
      const signin = await c.request("/signin?verified=1");
      assert.match(await signin.text(), /Your email address is confirmed\. Sign in to continue\./);

      const signedIn = await post(c, "/signin", {
        email,
        password: PASSWORD,
        next: "/account/security?welcome=1",
      });
      assert.equal(signedIn.status, 303);
      assert.equal(signedIn.headers.get("location"), "/account/security?welcome=1");
      session = cookiesFrom(signedIn);
      assert.match(session, /pt_access=/);

      const account = await c.request("/account/security?welcome=1", { headers: { cookie: session } });
      assert.equal(account.status, 200);
      assert.equal(account.headers.get("content-type"), HTML);
      assert.equal(account.headers.get("cache-control"), "no-store");
      const html = await account.text();
      assert.match(html, /Welcome to PropTrade Pro! Your email address is confirmed\./);
      assert.match(html, /<button type="submit" class="nav-link[^"]*">Sign out<\/button>/);
      assert.match(html, /Set up two-factor authentication/);
      assert.match(html, /This device/);
    });

    await t.step(
      "a signed-in visitor sees their header on /, and it never reaches the page cache",
      async () => {
        app.pageCache.invalidate("*");
        const signedIn = await c.request("/", { headers: { cookie: session } });
        assert.equal(signedIn.status, 200);
        assert.equal(signedIn.headers.get("x-page-cache"), null);
        assert.match(await signedIn.text(), /Sign out/);
        assert.equal(app.pageCache.size, 0);
        const first = await c.request("/");
        assert.equal(first.headers.get("x-page-cache"), "miss");
        await first.body?.cancel();
        const anonymous = await c.request("/");
        assert.equal(anonymous.headers.get("x-page-cache"), "hit");
        const html = await anonymous.text();
        assert.doesNotMatch(html, /Sign out|Account</);
        assert.match(html, /href="\/signin"[^>]*>Sign in</);
      },
    );

    await t.step("a signed-in visitor of /signin goes to a safe next page only", async () => {
      for (
        const [next, expected] of [
          ["/challenges?size=25K", "/challenges?size=25K"],
          ["//evil.example/x", "/dashboard"],
          ["/\\evil.example", "/dashboard"],
          ["https://evil.example", "/dashboard"],
        ]
      ) {
        const res = await c.request(`/signin?next=${encodeURIComponent(next)}`, {
          headers: { cookie: session },
        });
        assert.equal(res.status, 303, next);
        assert.equal(res.headers.get("location"), expected, next);
      }
    });

    await t.step("profile form: invalid time zone re-renders 422 inline, valid one redirects", async () => {
      const bad = await post(c, "/account/security", {
        intent: "profile",
        firstName: "Ada",
        lastName: "Lovelace",
        timeZone: "Mars/Olympus",
      }, { cookie: session });
      assert.equal(bad.status, 422);
      assert.equal(bad.headers.get("content-type"), HTML);
      const html = await bad.text();
      assert.match(html, /<select[^>]*aria-invalid="true"[^>]*aria-describedby="timeZone-error"/);
      assert.match(inputTag(html, "lastName"), /value="Lovelace"/);

      const ok = await post(c, "/account/security", {
        intent: "profile",
        firstName: "Ada",
        lastName: "Lovelace",
        timeZone: "Europe/Prague",
      }, { cookie: session });
      assert.equal(ok.status, 303);
      assert.equal(ok.headers.get("location"), "/account/security?saved=profile#profile");
    });

    await t.step("CSRF: a cross-site form post with the session cookie is refused", async () => {
      const res = await post(c, "/signout", {}, { cookie: session, "sec-fetch-site": "cross-site" });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get("content-type"), HTML);
      await res.body?.cancel();
      const still = await c.request("/account/security", { headers: { cookie: session } });
      assert.equal(still.status, 200, "the session survived");
      await still.body?.cancel();
    });

    await t.step("sign-out from our own page ends the session", async () => {
      const res = await post(c, "/signout", {}, { cookie: session });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/");
      assert.ok(res.headers.getSetCookie().some((c) => /^pt_access=;.*Max-Age=0/.test(c)));
      const after = await c.request("/account/security", { headers: { cookie: session } });
      assert.equal(after.status, 303);
      assert.match(after.headers.get("location")!, /^\/signin\?next=/);
    });

    await t.step("wrong password: 401 with the error tied to the fields", async () => {
      const res = await post(c, "/signin", { email, password: "not the password at all" });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.match(html, /<div id="signin-error" role="alert"[^>]*>Email or password is incorrect\.<\/div>/);
      assert.match(inputTag(html, "password"), /aria-describedby="signin-error"/);
      assert.match(inputTag(html, "email"), new RegExp(`value="${email}"`));
    });

    await t.step("right password: signed in and sent to next", async () => {
      const res = await post(c, "/signin", { email, password: PASSWORD, next: "/challenges" });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/challenges");
      assert.match(cookiesFrom(res), /pt_refresh=/);
    });

    await t.step("forgot password answers the same for unknown and known addresses", async () => {
      for (const address of [email, uniqueEmail("nobody")]) {
        const res = await post(c, "/forgot-password", { email: address });
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), "/forgot-password?sent=1");
      }
      const sent = await c.request("/forgot-password?sent=1");
      assert.match(await sent.text(), /If an account exists for that address, we have sent it a link/);
    });

    await t.step("a bad reset link explains itself", async () => {
      const res = await post(c, "/reset-password", { token: "not-a-token", password: PASSWORD });
      assert.equal(res.status, 422);
      assert.match(await res.text(), /This link is invalid, has expired or was already used/);
    });
  } finally {
    await close();
  }
});

Deno.test("the sign-up page answers a taken email exactly like a new one: no session, same page", async () => {
  const { app, inbox, close } = await openTestApp();
  const c = client(app);
  try {
    const taken = uniqueEmail("taken");
    const first = await post(c, "/signup", { email: taken, password: strongPassword(), firstName: "Ada" });
    await first.body?.cancel();

    const fresh = uniqueEmail("fresh");
    const answers = [];
    for (const email of [taken, fresh]) {
      // Another password than the owner's: before, the page's sign-in failed and sent the visitor to /signin.
      const res = await post(c, "/signup", {
        email,
        password: strongPassword(),
        firstName: "Bo",
        lastName: "",
      });
      answers.push({
        status: res.status,
        type: res.headers.get("content-type"),
        location: res.headers.get("location"),
        cookies: res.headers.getSetCookie().filter((c) => /^pt_/.test(c)),
        page: (await res.text()).replaceAll(email, "ADDRESS"),
      });
    }
    const [forTaken, forNew] = answers;
    assert.equal(forNew.status, 200);
    assert.equal(forNew.type, HTML);
    assert.deepEqual(forTaken, forNew);
    assert.deepEqual(forNew.cookies, [], "no session cookie");
    assert.match(forNew.page, /Check your inbox/);
    assert.match(forNew.page, /We sent a message to <strong>ADDRESS<\/strong>/);
    // Both addresses got a mail: the new one its confirmation link, the owner of the taken one a warning.
    assert.match(inbox.latestTo(fresh).text, /verify-email\?token=/);
    assert.match(inbox.latestTo(taken).subject, /Someone tried to create an account/);
  } finally {
    await close();
  }
});
