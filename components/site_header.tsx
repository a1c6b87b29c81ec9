import type { ComponentChildren } from "preact";
import type { SessionUser } from "../services/auth/sessions.ts";

// FAQ joins when its page exists (public website issue); a nav never links to a 404.
const NAV = [
  { href: "/challenges", label: "Challenges" },
  { href: "/rules", label: "Rules" },
  // Phones lack the width for a fourth link; there the FAQ is one tap away in the footer.
  { href: "/faq", label: "FAQ", wideOnly: true },
];

// Below 384 px the links give up some padding, so the whole navigation still fits on a 360 px phone.
const LINK = "nav-link max-[24rem]:px-1";

/**
 * Brand and primary navigation; the current section is marked for assistive technology. Without `user` it
 * is the anonymous header, the one page-cached pages must show (their bytes go to every visitor). It never
 * shows who is signed in, only that someone is.
 */
export function SiteHeader(props: { path: string; user?: SessionUser | null }) {
  return (
    <header class="border-b border-line bg-surface/95">
      <nav class="container-page flex h-16 items-center justify-between gap-3 sm:gap-6" aria-label="Main">
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
          {/* On the narrowest phones the mark stands alone, so the navigation fits on one line. */}
          <span class="max-[28rem]:sr-only">PropTrade Pro</span>
        </a>
        <ul class="flex items-center gap-1 whitespace-nowrap text-sm sm:gap-4">
          {NAV.map((item) => (
            // Signed in, a phone has room for Dashboard, Account and Sign out only; the site's sections stay one
            // tap away in the footer (and the logo leads home).
            <li key={item.href} class={"wideOnly" in item || props.user ? "max-sm:hidden" : undefined}>
              <NavLink href={item.href} current={props.path.startsWith(item.href)}>{item.label}</NavLink>
            </li>
          ))}
          {props.user
            ? (
              <>
                <li>
                  <NavLink href="/dashboard" current={props.path.startsWith("/dashboard")}>Dashboard</NavLink>
                </li>
                <li>
                  <NavLink href="/account/security" current={props.path.startsWith("/account")}>
                    Account
                  </NavLink>
                </li>
                <li>
                  <form method="post" action="/signout">
                    <button type="submit" class={`${LINK} cursor-pointer`}>Sign out</button>
                  </form>
                </li>
              </>
            )
            : (
              <>
                <li>
                  <NavLink href="/signin" current={props.path === "/signin"}>Sign in</NavLink>
                </li>
                <li>
                  <a
                    href="/signup"
                    class="inline-flex items-center rounded-lg bg-brand-strong px-3 py-1.5 font-semibold max-[24rem]:px-2 text-on-brand hover:bg-brand"
                    aria-current={props.path === "/signup" ? "page" : undefined}
                  >
                    Sign up
                  </a>
                </li>
              </>
            )}
        </ul>
      </nav>
    </header>
  );
}

function NavLink(props: { href: string; current: boolean; children: ComponentChildren }) {
  return (
    <a href={props.href} class={LINK} aria-current={props.current ? "page" : undefined}>
      {props.children}
    </a>
  );
}
