/** A section's own navigation (back office, legal documents): a labelled list of links, current one marked. */
export function SubNav(
  props: {
    label: string;
    links: readonly { href: string; label: string }[];
    current: string;
    class?: string;
  },
) {
  return (
    <nav
      aria-label={props.label}
      class={`flex flex-wrap gap-x-4 gap-y-2 border-b border-line pb-3 text-sm ${props.class ?? ""}`}
    >
      {props.links.map((l) => (
        <a
          key={l.href}
          href={l.href}
          class="nav-link"
          aria-current={props.current === l.href ? "page" : undefined}
        >
          {l.label}
        </a>
      ))}
    </nav>
  );
}
