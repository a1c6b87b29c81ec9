// Rules and FAQ join when their pages exist (public website issue); a nav never links to a 404.
const NAV = [{ href: "/challenges", label: "Challenges" }];

/** Brand and primary navigation; the current section is marked for assistive technology. */
export function SiteHeader(props: { path: string }) {
  return (
    <header class="border-b border-line bg-surface/95">
      <nav class="container-page flex h-16 items-center justify-between gap-6" aria-label="Main">
        <a href="/" class="flex items-center gap-2 whitespace-nowrap font-semibold tracking-tight text-lg">
          <svg aria-hidden="true" width="28" height="28" viewBox="0 0 32 32" class="text-brand">
            <rect width="32" height="32" rx="8" fill="currentColor" />
            <path
              d="M8 22l6-7 4 4 6-9"
              stroke="white"
              stroke-width="2.5"
              fill="none"
              stroke-linecap="round"
            />
          </svg>
          PropTrade Pro
        </a>
        <ul class="flex items-center gap-1 text-sm sm:gap-4">
          {NAV.map((item) => (
            <li key={item.href}>
              <a
                href={item.href}
                class="nav-link"
                aria-current={props.path.startsWith(item.href) ? "page" : undefined}
              >
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </header>
  );
}
