import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { signUp } from "./helpers/client.ts";
import { seedDemo } from "../services/demo/seed.ts";
import { listActivePlans } from "../services/plans/queries.ts";
import { updatePlan } from "../services/plans/admin.ts";
import { createFaq, removeFaq } from "../services/faq/admin.ts";
import { SYSTEM_ACTOR } from "../services/audit.ts";
import { compactSize } from "../services/money.ts";

/** Base64 SHA-256 of a script's text, as a CSP hash source names it. */
async function cspHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(digest).toBase64();
}

/** The text of every executable inline script (module or classic; JSON data blocks are not run). */
function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*type="application\/(?:ld\+)?json")([^>]*)>([\s\S]*?)<\/script>/g)]
    .filter(([, attrs]) => !/\ssrc=/.test(attrs))
    .map(([, , text]) => text);
}

/** The `script-src` directive of a CSP. */
function scriptSrc(csp: string): string {
  return csp.split("; ").find((d) => d.startsWith("script-src "))!;
}

/** Waits until the bus has told this process to drop its copy of `path`. */
async function dropped(app: { request(path: string): Response | Promise<Response> }, path: string) {
  for (let i = 0; i < 100; i++) {
    const res = await app.request(path);
    const state = res.headers.get("x-page-cache");
    await res.body?.cancel();
    if (state === "miss") return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} stayed cached`);
}

Deno.test("cached island pages: /challenges and /faq cached whole, scripts allowed by hash", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    await seedDemo(deps.db, deps.totpKey); // no-op when the shared database already has plans
    app.pageCache.invalidate("*");

    await t.step(
      "the cached /challenges carries a CSP whose sha256 is its inline boot script's",
      async () => {
        const miss = await app.request("/challenges");
        assert.equal(miss.headers.get("x-page-cache"), "miss");
        const missHtml = await miss.text();
        const hit = await app.request("/challenges", { headers: { "accept-encoding": "gzip" } });
        assert.equal(hit.headers.get("x-page-cache"), "hit");
        assert.equal(hit.headers.get("content-encoding"), "gzip");
        const html = await new Response(hit.body!.pipeThrough(new DecompressionStream("gzip"))).text();
        assert.equal(html, missHtml, "the stored bytes are the rendered bytes");
        const csp = hit.headers.get("content-security-policy")!;
        assert.equal(csp, miss.headers.get("content-security-policy"));
        const scripts = inlineScripts(html);
        assert.equal(scripts.length, 1, "one boot script");
        assert.match(scripts[0], /^import\{boot\}from"/);
        assert.equal(scriptSrc(csp), `script-src 'sha256-${await cspHash(scripts[0])}' 'strict-dynamic'`);
        assert.doesNotMatch(html, /\snonce=/);
        assert.doesNotMatch(csp, /nonce-|unsafe-inline|unsafe-eval/);
      },
    );

    await t.step("the cached page equals a per-request render apart from the script sources", async () => {
      // A stale session cookie makes the request personal: rendered for it with a nonce, never cached.
      const fresh = await app.request("/challenges", { headers: { cookie: "pt_access=stale" } });
      assert.equal(fresh.headers.get("x-page-cache"), null);
      const nonce = fresh.headers.get("content-security-policy")!.match(/'nonce-([^']+)'/)![1];
      const freshHtml = await fresh.text();
      const hit = await app.request("/challenges");
      assert.equal(hit.headers.get("x-page-cache"), "hit");
      assert.equal(await hit.text(), freshHtml.replaceAll(` nonce="${nonce}"`, ""));

      const differing = new Set<string>();
      for (const name of new Set([...fresh.headers.keys(), ...hit.headers.keys()])) {
        if (fresh.headers.get(name) !== hit.headers.get(name)) differing.add(name);
      }
      assert.deepEqual([...differing].sort(), [
        "cache-control", // public copy; revalidated by
        "content-security-policy",
        "etag",
        "set-cookie", // the stale cookie is cleared
        "traceparent", // per request, on both
        "vary",
        "x-page-cache",
        "x-request-id", // per request, on both
      ]);
      const [freshCsp, hitCsp] = [fresh, hit].map((r) => r.headers.get("content-security-policy")!);
      assert.equal(hitCsp.replace(scriptSrc(hitCsp), ""), freshCsp.replace(scriptSrc(freshCsp), ""));
      assert.equal(hit.headers.get("x-request-id")?.length, fresh.headers.get("x-request-id")?.length);
    });

    await t.step(
      "a page for a signed-in visitor is never stored, by session cookie or bearer token",
      async () => {
        const user = await signUp(app, { firstName: "Cachetest", lastName: "Visitor" });
        const ways: Record<string, string>[] = [user.auth, {
          cookie: `theme=dark; pt_access=${user.accessToken}`,
        }];
        for (const path of ["/", "/challenges", "/faq"]) {
          app.pageCache.invalidate("*");
          for (const headers of ways) {
            const personal = await app.request(path, { headers });
            assert.equal(personal.status, 200, path);
            assert.equal(
              personal.headers.get("x-page-cache"),
              null,
              `${path} stored for a signed-in visitor`,
            );
            assert.match(await personal.text(), /Sign out/, `${path} is the signed-in page`);
            assert.equal(app.pageCache.size, 0, path);
          }
          const anonymous = await app.request(path);
          assert.equal(anonymous.headers.get("x-page-cache"), "miss", path);
          assert.doesNotMatch(await anonymous.text(), /Cachetest|Sign out/, path);
        }
      },
    );

    await t.step("/challenges is dropped when the plans editor changes a plan (featured flag)", async () => {
      await (await app.request("/challenges")).body?.cancel();
      const plans = await listActivePlans(deps.db);
      const target = plans.at(-1)!;
      const catalog = { db: deps.db, bus: deps.bus };
      try {
        await updatePlan(catalog, SYSTEM_ACTOR, target.id, { featured: true });
        await dropped(app, "/challenges");
        const html = await (await app.request("/challenges")).text();
        const table = html.slice(html.indexOf(`id="cmp-${target.family}"`));
        assert.match(
          table.slice(0, table.indexOf("</thead>")),
          new RegExp(`>${compactSize(target.initialBalance)}<span[^>]*>Most popular</span>`),
        );
      } finally {
        await updatePlan(catalog, SYSTEM_ACTOR, target.id, { featured: false });
      }
    });

    await t.step("/faq is cached with its search island and dropped when the FAQ is edited", async () => {
      app.pageCache.invalidate("*");
      await (await app.request("/faq")).body?.cancel();
      const hit = await app.request("/faq");
      assert.equal(hit.headers.get("x-page-cache"), "hit");
      const html = await hit.text();
      const [boot] = inlineScripts(html);
      assert.equal(
        scriptSrc(hit.headers.get("content-security-policy")!),
        `script-src 'sha256-${await cspHash(boot)}' 'strict-dynamic'`,
      );
      const question = `Is the cache dropped ${crypto.randomUUID().slice(0, 8)}?`;
      const id = await createFaq(deps, SYSTEM_ACTOR, {
        category: "platform",
        question,
        answer: "Yes.",
        published: true,
      });
      try {
        await dropped(app, "/faq");
        assert.match(await (await app.request("/faq")).text(), new RegExp(question.replace("?", "\\?")));
      } finally {
        await removeFaq(deps, SYSTEM_ACTOR, id);
      }
    });
  } finally {
    await close();
  }
});
