import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { insertFaqEntry, listPublishedFaq } from "../services/faq/queries.ts";
import { FAQ_SEED, seedFaqIfEmpty } from "../services/faq/seed.ts";
import { FAQ_CATEGORIES } from "../services/faq/search.ts";

Deno.test("faq page: published entries by category, anchors, FAQPage data, search without JS", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    // Tests share a database: unique slugs, and an answer that tries to break out of the JSON-LD block.
    const tag = crypto.randomUUID().slice(0, 8);
    const slug = `test-payout-${tag}`;
    const hiddenSlug = `test-draft-${tag}`;
    await deps.db.tx(async (tx) => {
      await insertFaqEntry(tx, {
        category: "payouts",
        slug,
        question: `Test question ${tag}?`,
        answer: `First paragraph ${tag} </script><script>alert(1)</script>\n\nSecond paragraph.`,
        position: -1,
        published: true,
      });
      await insertFaqEntry(tx, {
        category: "general",
        slug: `test-general-${tag}`,
        question: `General ${tag}?`,
        answer: "Something else.",
        published: true,
      });
      await insertFaqEntry(tx, {
        category: "payouts",
        slug: hiddenSlug,
        question: `Draft ${tag}?`,
        answer: "Not yet.",
      });
    });

    await t.step("200, HTML, the entry under its category with its anchor", async () => {
      const res = await app.request("/faq");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      const html = await res.text();
      assert.match(html, /<title>Frequently asked questions · PropTrade Pro<\/title>/);
      const section = html.match(/<section[^>]*id="faq-payouts"[^>]*>([\s\S]*?)<\/section>/)?.[1] ?? "";
      assert.match(section, new RegExp(`<article[^>]*id="${slug}"`));
      // Folded: the question is the summary of a closed <details>, the answer and its own link under it.
      assert.match(
        section,
        new RegExp(
          `<details class="group"><summary[^>]*><h3 id="${slug}-q"[^>]*>Test question ${tag}\\?</h3>`,
        ),
      );
      assert.match(section, new RegExp(`<a class="link" href="#${slug}">Link to this answer`));
      assert.match(section, /<p[^>]*>Second paragraph\.<\/p>/);
      assert.match(html, /<a class="link" href="#faq-payouts">Payouts<\/a>/);
      assert.doesNotMatch(html, new RegExp(hiddenSlug));
      assert.doesNotMatch(html, /<script>alert/);
      // Nothing is hidden without a query: the whole list is there without JavaScript.
      assert.doesNotMatch(html, /<article[^>]*hidden/);
      assert.doesNotMatch(html, /<details[^>]* open/);
      assert.match(html, /<!--frsh:island:FaqSearch:0-->/);
    });

    await t.step("FAQPage JSON-LD parses and lists the published entry only", async () => {
      const html = await (await app.request("/faq")).text();
      const blocks = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
      assert.equal(blocks.length, 1);
      const data = JSON.parse(blocks[0][1]);
      assert.equal(data["@type"], "FAQPage");
      const question = data.mainEntity.find((q: { name: string }) => q.name === `Test question ${tag}?`);
      assert.ok(question);
      assert.equal(question["@type"], "Question");
      assert.match(question.acceptedAnswer.text, /<\/script><script>alert\(1\)<\/script>/);
      assert.ok(!data.mainEntity.some((q: { name: string }) => q.name === `Draft ${tag}?`));
    });

    await t.step("without JavaScript the search form filters on the server", async () => {
      const res = await app.request(`/faq?q=${encodeURIComponent(`paragraph ${tag}`)}&category=payouts`);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, new RegExp(`<article[^>]*id="test-general-${tag}"[^>]*hidden`));
      const shown = [...html.matchAll(/<article[^>]*id="([^"]+)"(?![^>]*hidden)[^>]*>/g)].map((m) => m[1]);
      assert.ok(shown.includes(slug) && !shown.includes(`test-general-${tag}`), shown.join());
      assert.match(html, /<section[^>]*id="faq-general"[^>]*hidden/);
      assert.match(html, /<p id="faq-empty" class="card" hidden/);
      // What the search matched is unfolded; nothing else is.
      assert.match(html, new RegExp(`<article[^>]*id="${slug}"[^>]*><details class="group" open`));
      assert.equal(html.split('<details class="group" open').length - 1, 1);
      assert.match(html, /value="payouts" checked/);
    });
  } finally {
    await close();
  }
});

Deno.test("faq seed: covers every category, fills an empty FAQ once", async () => {
  assert.deepEqual([...new Set(FAQ_SEED.map((e) => e.category))].sort(), [...FAQ_CATEGORIES].sort());
  assert.equal(new Set(FAQ_SEED.map((e) => e.slug)).size, FAQ_SEED.length);
  const { deps, close } = await openTestApp();
  try {
    const [{ empty }] = await deps.db.sql<{ empty: boolean }[]>`
      select not exists (select 1 from faq_entries) as empty`;
    const seeded = await seedFaqIfEmpty(deps.db);
    assert.equal(seeded, empty, "seeds exactly when the FAQ was empty");
    assert.equal(await seedFaqIfEmpty(deps.db), false);
    if (seeded) {
      const slugs = (await listPublishedFaq(deps.db)).map((e) => e.slug);
      for (const entry of FAQ_SEED) assert.ok(slugs.includes(entry.slug), entry.slug);
    }
  } finally {
    await close();
  }
});
