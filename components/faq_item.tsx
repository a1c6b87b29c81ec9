import type { FaqEntry } from "../services/faq/search.ts";

/**
 * One FAQ entry, folded: the question is a native `<details>` summary (a button for the keyboard and screen
 * readers, no JavaScript needed), the answer opens under it. `article#<slug>` is the anchor `/faq#<slug>`
 * links to and what the FAQ search island shows or hides. The summary holds nothing interactive (a link in
 * it would be a control inside a control), so the link to the answer sits in the answer.
 */
export function FaqItem(props: {
  entry: Pick<FaqEntry, "slug" | "question" | "answer">;
  /** Hidden by a search that it does not match. */
  hidden?: boolean;
  /** Rendered open (e.g. a search matched it, so its answer is what the visitor wants to read). */
  open?: boolean;
  /** Where the entry's own page anchor lives: `#slug` on /faq, `/faq#slug` elsewhere. */
  href: string;
}) {
  const { slug, question, answer } = props.entry;
  return (
    <article
      id={slug}
      aria-labelledby={`${slug}-q`}
      class="scroll-mt-6 target:bg-raised"
      hidden={props.hidden}
    >
      <details class="group" open={props.open}>
        <summary class="flex cursor-pointer list-none items-start justify-between gap-4 p-5 hover:bg-raised sm:px-6 [&::-webkit-details-marker]:hidden">
          <h3 id={`${slug}-q`} class="font-semibold sm:text-lg">{question}</h3>
          <svg
            aria-hidden="true"
            width="20"
            height="20"
            viewBox="0 0 20 20"
            class="mt-0.5 shrink-0 text-muted transition-transform group-open:rotate-180"
          >
            <path
              d="M5 7.5l5 5 5-5"
              fill="none"
              stroke="currentColor"
              stroke-width="2"
              stroke-linecap="round"
            />
          </svg>
        </summary>
        <div class="px-5 pb-5 sm:px-6">
          {answer.split(/\n\s*\n/).map((paragraph, i) => (
            <p key={i} class={`${i ? "mt-3 " : ""}max-w-3xl whitespace-pre-line text-muted`}>{paragraph}</p>
          ))}
          <p class="mt-3 text-sm">
            <a class="link" href={props.href}>
              Link to this answer<span class="sr-only">: {question}</span>
            </a>
          </p>
        </div>
      </details>
    </article>
  );
}
