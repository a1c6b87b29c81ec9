import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { FAQ_CATEGORY_LABELS, type FaqCategory, matchesFaqQuery } from "../services/faq/search.ts";

/** What the island knows of one entry: its anchor, category and search text — never its HTML. */
interface FaqSearchEntry {
  id: string;
  category: FaqCategory;
  /** Question and answer, lowercased. */
  text: string;
}

interface Props {
  entries: FaqSearchEntry[];
  categories: FaqCategory[];
  /** The filter the server rendered (from `?q=` and `?category=`), so the first paint agrees with it. */
  initialQuery: string;
  initialCategory: FaqCategory | "";
}

/**
 * Search box and category filter over the server-rendered FAQ. Without JavaScript the form is a GET to
 * `/faq` and the server hides what does not match; with it, matching is instant: this island only toggles the
 * `hidden` attribute of entries (`#slug`) and category sections (`#faq-<category>`) rendered by the page.
 */
export default function FaqSearch(props: Props) {
  const query = useSignal(props.initialQuery);
  const category = useSignal<FaqCategory | "">(props.initialCategory);
  const q = query.value.trim();
  const visible = props.entries.filter((e) =>
    (category.value === "" || e.category === category.value) && matchesFaqQuery(e.text, q)
  );

  useEffect(() => {
    const shown = new Set(visible.map((e) => e.id));
    for (const entry of props.entries) {
      const el = document.getElementById(entry.id);
      if (!el) continue;
      el.hidden = !shown.has(entry.id);
      // Answers are folded; while a search is on, the matches are what the visitor came for: unfold them.
      const details = el.querySelector("details");
      if (details && q !== "" && shown.has(entry.id)) details.open = true;
    }
    for (const c of props.categories) {
      const section = document.getElementById(`faq-${c}`);
      if (section) section.hidden = !visible.some((e) => e.category === c);
    }
    const empty = document.getElementById("faq-empty");
    if (empty) empty.hidden = visible.length > 0;
  }, [query.value, category.value]);

  // A link to one answer (`/faq#slug`) unfolds it: on arrival, and when the fragment changes in the page.
  useEffect(() => {
    const unfold = () => {
      const target = location.hash
        ? document.getElementById(decodeURIComponent(location.hash.slice(1)))
        : null;
      const details = target?.querySelector("details");
      if (details) details.open = true;
    };
    unfold();
    addEventListener("hashchange", unfold);
    return () => removeEventListener("hashchange", unfold);
  }, []);

  const syncUrl = () => {
    const params = new URLSearchParams();
    if (query.value.trim()) params.set("q", query.value.trim());
    if (category.value) params.set("category", category.value);
    const search = params.toString();
    history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}`);
  };

  return (
    <form
      role="search"
      aria-label="FAQ"
      method="get"
      action="/faq#faq-list"
      class="card"
      onSubmit={(e) => {
        e.preventDefault();
        syncUrl();
      }}
    >
      <label for="faq-q" class="block font-semibold">Search the questions</label>
      <div class="mt-2 flex gap-2">
        <input
          id="faq-q"
          type="search"
          name="q"
          value={query.value}
          placeholder="e.g. daily loss, payout, 2FA"
          autocomplete="off"
          class="min-w-0 flex-1 rounded-lg border border-line bg-surface px-3 py-2 text-ink placeholder:text-muted"
          onInput={(e) => {
            query.value = e.currentTarget.value;
            syncUrl();
          }}
        />
        <button type="submit" class="btn-primary">Search</button>
      </div>
      <fieldset class="mt-4">
        <legend class="text-sm text-muted">Category</legend>
        <div class="mt-2 flex flex-wrap gap-2">
          {([""] as (FaqCategory | "")[]).concat(props.categories).map((c) => (
            <label
              key={c || "all"}
              class="cursor-pointer rounded-full border border-line px-4 py-1.5 text-sm font-medium hover:border-brand has-checked:border-brand-strong has-checked:bg-brand-strong has-checked:text-on-brand has-focus-visible:outline-3 has-focus-visible:outline-offset-2 has-focus-visible:outline-brand"
            >
              <input
                type="radio"
                name="category"
                value={c}
                checked={category.value === c}
                class="sr-only"
                onChange={() => {
                  category.value = c;
                  syncUrl();
                }}
              />
              {c === "" ? "All" : FAQ_CATEGORY_LABELS[c]}
            </label>
          ))}
        </div>
      </fieldset>
      <p class="mt-4 text-sm text-muted" aria-live="polite">
        {visible.length === props.entries.length
          ? `${props.entries.length} ${props.entries.length === 1 ? "question" : "questions"}`
          : `Showing ${visible.length} of ${props.entries.length} questions`}
      </p>
    </form>
  );
}
