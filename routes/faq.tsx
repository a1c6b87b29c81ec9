import { define, setMeta } from "./_define.ts";
import { page, type RouteConfig } from "../lib/define.ts";
import { escapeScriptJson } from "../lib/serialize.ts";
import { listPublishedFaq } from "../services/faq/queries.ts";
import {
  FAQ_CATEGORIES,
  FAQ_CATEGORY_LABELS,
  type FaqCategory,
  type FaqEntry,
  faqSearchText,
  isFaqCategory,
  matchesFaqQuery,
} from "../services/faq/search.ts";
import FaqSearch from "../islands/faq_search.tsx";
import { FaqItem } from "../components/faq_item.tsx";

/**
 * Public and identical for everyone (per `?q=`/`?category=`): cached whole, the search island's boot script
 * allowed by hash (lib/app/cached_pages.ts), until staff edit the FAQ (services/faq/admin.ts invalidates
 * "faq").
 */
export const config: RouteConfig = { cache: { tags: ["faq"] } };

export const handler = define.handlers({
  async GET(ctx) {
    setMeta(
      ctx.state,
      "Frequently asked questions",
      "Answers about PropTrade Pro challenges, trading rules, daily and maximum loss limits, payouts, the " +
        "platform and your account.",
    );
    const entries = await listPublishedFaq(ctx.state.deps.db);
    // Without JavaScript the search form is a GET: filter here exactly as the island does.
    const query = (ctx.url.searchParams.get("q") ?? "").trim().slice(0, 200);
    const requested = ctx.url.searchParams.get("category");
    const category: FaqCategory | "" = isFaqCategory(requested) ? requested : "";
    const rows = entries.map((entry) => {
      const text = faqSearchText(entry);
      return {
        entry,
        text,
        shown: (category === "" || entry.category === category) && matchesFaqQuery(text, query),
      };
    });
    const groups = FAQ_CATEGORIES
      .map((c) => ({ category: c, rows: rows.filter((r) => r.entry.category === c) }))
      .filter((g) => g.rows.length > 0);
    return page({
      groups,
      query,
      category,
      anyShown: rows.some((r) => r.shown),
      search: rows.map((r) => ({ id: r.entry.slug, category: r.entry.category, text: r.text })),
      structuredData: escapeScriptJson(JSON.stringify(faqPageData(entries))),
    });
  },
});

/** schema.org FAQPage of every published entry (also when the visitor filtered the list). */
function faqPageData(entries: FaqEntry[]) {
  return {
    "@context": "https://schema.org",
    "@type": "FAQPage",
    mainEntity: entries.map((e) => ({
      "@type": "Question",
      name: e.question,
      acceptedAnswer: { "@type": "Answer", text: e.answer },
    })),
  };
}

export default define.page<typeof handler>(({ data }) => (
  <div class="container-page py-12">
    <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Frequently asked questions</h1>
    <p class="mt-4 max-w-2xl text-muted">
      How challenges, rules, payouts and your account work. The exact figures of every plan are on the{" "}
      <a class="link" href="/challenges">challenges</a> and <a class="link" href="/rules">rules</a> pages.
    </p>

    {data.groups.length === 0
      ? <p class="card mt-10">No questions have been published yet.</p>
      : (
        <div class="mt-10 grid grid-cols-[minmax(0,1fr)] gap-10 lg:grid-cols-[16rem_minmax(0,1fr)]">
          <nav aria-labelledby="faq-toc" class="lg:sticky lg:top-6 lg:self-start">
            <h2 id="faq-toc" class="text-sm font-semibold uppercase tracking-wider text-muted">Categories</h2>
            <ul class="mt-3 flex flex-wrap gap-x-4 gap-y-2 lg:flex-col">
              {data.groups.map((g) => (
                <li key={g.category}>
                  <a class="link" href={`#faq-${g.category}`}>
                    {FAQ_CATEGORY_LABELS[g.category]}
                  </a>{" "}
                  <span class="text-sm text-muted">({g.rows.length})</span>
                </li>
              ))}
            </ul>
          </nav>

          <div>
            <FaqSearch
              entries={data.search}
              categories={data.groups.map((g) => g.category)}
              initialQuery={data.query}
              initialCategory={data.category}
            />

            <div id="faq-list" class="mt-10 scroll-mt-6">
              <p id="faq-empty" class="card" hidden={data.anyShown}>
                No question matches your search. Try fewer or other words, or{" "}
                <a class="link" href="/faq">show all questions</a>.
              </p>
              {data.groups.map((g) => (
                <section
                  key={g.category}
                  id={`faq-${g.category}`}
                  aria-labelledby={`faq-${g.category}-heading`}
                  class="mt-10 scroll-mt-6 first-of-type:mt-0"
                  hidden={!g.rows.some((r) => r.shown)}
                >
                  <h2 id={`faq-${g.category}-heading`} class="text-2xl font-bold tracking-tight">
                    {FAQ_CATEGORY_LABELS[g.category]}
                  </h2>
                  <div class="mt-4 divide-y divide-line overflow-hidden rounded-xl border border-line">
                    {g.rows.map(({ entry, shown }) => (
                      <FaqItem
                        key={entry.slug}
                        entry={entry}
                        href={`#${entry.slug}`}
                        hidden={!shown}
                        open={data.query !== "" && shown}
                      />
                    ))}
                  </div>
                </section>
              ))}
            </div>
          </div>
        </div>
      )}

    <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: data.structuredData }} />
  </div>
));
