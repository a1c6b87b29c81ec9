import type { PublishedTestimonial } from "../services/testimonials/queries.ts";

/**
 * What traders say, as quotes with their authors. Renders nothing when there are none: an empty "testimonials"
 * box on a prop firm's home page reads as "nobody got paid", so the section only appears once staff publish one.
 */
export function Testimonials(props: { items: PublishedTestimonial[] }) {
  if (props.items.length === 0) return null;
  return (
    <section aria-labelledby="testimonials" class="container-page pb-16">
      <h2 id="testimonials" class="text-2xl font-bold tracking-tight">What traders say</h2>
      <ul class="mt-8 grid gap-6 md:grid-cols-2 lg:grid-cols-3">
        {props.items.map((t) => (
          <li key={t.id}>
            <TestimonialCard quote={t.quote} authorName={t.authorName} authorDetail={t.authorDetail} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** One quote and its author, as the home page shows it (the back office previews with the same card). */
export function TestimonialCard(props: { quote: string; authorName: string; authorDetail: string }) {
  return (
    <figure class="card flex h-full flex-col">
      <svg aria-hidden="true" width="28" height="20" viewBox="0 0 28 20" class="text-brand">
        <path
          d="M0 20V11C0 4.9 3.4 1.2 10 0l1 2.6C7.4 3.8 5.8 6 5.6 9H11v11H0Zm17 0V11c0-6.1 3.4-9.8 10-11l1 2.6C24.4 3.8 22.8 6 22.6 9H28v11H17Z"
          fill="currentColor"
        />
      </svg>
      <blockquote class="mt-4 flex-1 whitespace-pre-line text-ink">
        <p>{props.quote}</p>
      </blockquote>
      <figcaption class="mt-6 text-sm">
        <span class="font-semibold">{props.authorName}</span>
        {props.authorDetail && <span class="block text-muted">{props.authorDetail}</span>}
      </figcaption>
    </figure>
  );
}
