import type { ComponentChildren } from "preact";
import type { SessionUser } from "../services/auth/sessions.ts";
import { isStaff } from "../services/auth/roles.ts";
import NotificationBell from "../islands/notification_bell.tsx";
import { DASHBOARD_LINKS } from "./dashboard_nav.tsx";

interface Link {
  href: string;
  label: string;
  /** Whether `path` is this link's page or section (marked `aria-current="page"`). */
  current(path: string): boolean;
}

const under = (prefix: string) => (path: string) => path === prefix || path.startsWith(`${prefix}/`);

/** The public site's sections, for everyone. */
const SITE: readonly Link[] = [
  { href: "/challenges", label: "Challenges", current: under("/challenges") },
  { href: "/rules", label: "Rules", current: under("/rules") },
  { href: "/faq", label: "FAQ", current: under("/faq") },
];

/** The trader's workspace: the dashboard's own sections (one list, components/dashboard_nav.tsx). */
export const DASHBOARD_MENU: readonly Link[] = DASHBOARD_LINKS.map(({ href, label }) => ({
  href,
  label,
  // The overview is also the section of the account pages below it.
  current: href === "/dashboard" ? (p) => p === href || under("/dashboard/accounts")(p) : under(href),
}));

const BACK_OFFICE: Link = { href: "/admin", label: "Back office", current: under("/admin") };
const ACCOUNT: Link = { href: "/account/security", label: "Account", current: under("/account") };

/**
 * Brand and primary navigation; the current page is marked for assistive technology. Without `user` it is
 * the anonymous header, the one page-cached pages must show (their bytes go to every visitor). It never shows
 * who is signed in, only that someone is, and which role (staff also get the back office).
 *
 * Wide screens (≥ 1024 px) show every link in one row. Narrower ones show the brand, the one action that
 * matters (sign up, or the notification bell) and a "Menu" disclosure: a native `<details>`, so it opens and
 * closes without JavaScript, is a button with an expanded state for screen readers and the keyboard, and is
 * closed again on the next page (every link in it navigates).
 */
export function SiteHeader(props: { path: string; user?: SessionUser | null; unread?: number }) {
  const { path, user } = props;
  return (
    <header class="relative z-30 border-b border-line bg-surface/95">
      <nav class="container-page flex h-16 items-center gap-3" aria-label="Main">
        <a href="/" class="flex items-center gap-2 whitespace-nowrap text-lg font-semibold tracking-tight">
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
          <span>PropTrade Pro</span>
        </a>

        {/* Wide: one row. */}
        <ul class="ml-auto hidden items-center gap-1 whitespace-nowrap text-sm lg:flex xl:gap-2">
          {SITE.map((l) => (
            <li key={l.href}>
              <NavLink link={l} path={path} />
            </li>
          ))}
          {user
            ? (
              <>
                <li class="ml-2 border-l border-line pl-3">
                  <NavLink link={{ ...DASHBOARD_MENU[0], label: "Dashboard" }} path={path} />
                </li>
                {/* The row keeps the three sections traders use most; the dashboard's own navigation has the rest. */}
                {DASHBOARD_MENU.slice(1, 3).map((l) => (
                  <li key={l.href}>
                    <NavLink link={l} path={path} />
                  </li>
                ))}
                {isStaff(user) && (
                  <li>
                    <NavLink link={BACK_OFFICE} path={path} />
                  </li>
                )}
                <li>
                  <NavLink link={ACCOUNT} path={path} />
                </li>
                <li>
                  <SignOut class="nav-link cursor-pointer" />
                </li>
              </>
            )
            : (
              <>
                <li class="ml-2">
                  <NavLink
                    link={{ href: "/signin", label: "Sign in", current: (p) => p === "/signin" }}
                    path={path}
                  />
                </li>
                <li>
                  <SignUp path={path} />
                </li>
              </>
            )}
        </ul>

        <div class="ml-auto flex items-center gap-2 lg:ml-0">
          {/* Outside the menu, so the unread count shows without opening anything. */}
          {user && <NotificationBell initialUnread={props.unread ?? 0} />}
          {!user && (
            <span class="lg:hidden">
              <SignUp path={path} />
            </span>
          )}
          <MobileMenu path={path} user={user ?? null} />
        </div>
      </nav>
    </header>
  );
}

/** The narrow-screen menu: a `<details>` disclosure whose panel lists every link, grouped. */
function MobileMenu(props: { path: string; user: SessionUser | null }) {
  const { path, user } = props;
  return (
    <details class="group lg:hidden">
      <summary class="flex cursor-pointer list-none items-center gap-2 rounded-lg border border-line px-3 py-1.5 text-sm font-semibold hover:border-brand [&::-webkit-details-marker]:hidden">
        <svg
          aria-hidden="true"
          width="18"
          height="18"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          stroke-width="2"
          stroke-linecap="round"
        >
          <path class="group-open:hidden" d="M4 7h16M4 12h16M4 17h16" />
          <path class="hidden group-open:inline" d="M6 6l12 12M18 6L6 18" />
        </svg>
        Menu
      </summary>
      <div class="absolute inset-x-0 top-full border-b border-line bg-surface shadow-lg">
        <div class="container-page grid gap-6 py-5 sm:grid-cols-2">
          {user && (
            <MenuGroup title="Dashboard">
              {DASHBOARD_MENU.map((l) => <MenuLink key={l.href} link={l} path={path} />)}
              {isStaff(user) && <MenuLink link={BACK_OFFICE} path={path} />}
              <MenuLink link={ACCOUNT} path={path} />
            </MenuGroup>
          )}
          <MenuGroup title="Explore">
            {SITE.map((l) => <MenuLink key={l.href} link={l} path={path} />)}
          </MenuGroup>
          <div class="border-t border-line pt-4 sm:col-span-2">
            {user ? <SignOut class="btn-secondary w-full" /> : (
              <a
                href="/signin"
                class="btn-secondary w-full"
                aria-current={path === "/signin" ? "page" : undefined}
              >
                Sign in
              </a>
            )}
          </div>
        </div>
      </div>
    </details>
  );
}

function MenuGroup(props: { title: string; children: ComponentChildren }) {
  const id = `menu-${props.title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <div>
      <p id={id} class="px-3 text-xs font-semibold uppercase tracking-wider text-muted">{props.title}</p>
      <ul class="mt-2 grid gap-1" aria-labelledby={id}>{props.children}</ul>
    </div>
  );
}

function MenuLink(props: { link: Link; path: string }) {
  const current = props.link.current(props.path);
  return (
    <li>
      <a
        href={props.link.href}
        class="block rounded-lg px-3 py-2.5 font-medium hover:bg-raised aria-[current=page]:bg-raised aria-[current=page]:text-brand-strong"
        aria-current={current ? "page" : undefined}
      >
        {props.link.label}
      </a>
    </li>
  );
}

function NavLink(props: { link: Link; path: string }) {
  return (
    <a
      href={props.link.href}
      class="nav-link"
      aria-current={props.link.current(props.path) ? "page" : undefined}
    >
      {props.link.label}
    </a>
  );
}

function SignUp(props: { path: string }) {
  return (
    <a
      href="/signup"
      class="inline-flex items-center rounded-lg bg-brand-strong px-3 py-1.5 text-sm font-semibold text-on-brand hover:bg-brand"
      aria-current={props.path === "/signup" ? "page" : undefined}
    >
      Sign up
    </a>
  );
}

function SignOut(props: { class: string }) {
  return (
    <form method="post" action="/signout">
      <button type="submit" class={props.class}>Sign out</button>
    </form>
  );
}
