import { define } from "../_define.ts";

const LINKS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/outbox", label: "Mail outbox" },
];

/** Back-office frame. Every page below declares staff-only access, so visitors never see this layout. */
export default define.layout(({ Component, url }) => (
  <div class="container-page py-10">
    <p class="text-sm font-semibold uppercase tracking-wider text-brand">Back office</p>
    <nav aria-label="Back office" class="mt-3 flex gap-4 border-b border-line pb-3 text-sm">
      {LINKS.map((l) => (
        <a
          key={l.href}
          href={l.href}
          class="nav-link"
          aria-current={url.pathname === l.href ? "page" : undefined}
        >
          {l.label}
        </a>
      ))}
    </nav>
    <div class="mt-8">
      <Component />
    </div>
  </div>
));
