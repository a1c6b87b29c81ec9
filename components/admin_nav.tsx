import { can, type Permission, type Role } from "../services/auth/roles.ts";

interface AdminLink {
  href: string;
  label: string;
  permission: Permission;
}

/**
 * The back office's one list of screens, grouped by what a team does there. Each link shows only to staff who
 * may open it (the others would get a 404 behind it); the header and the layout both derive from this list.
 */
export const ADMIN_SECTIONS: readonly { label: string; links: readonly AdminLink[] }[] = [
  {
    label: "Traders",
    links: [
      { href: "/admin/users", label: "Users", permission: "users.read" },
      { href: "/admin/accounts", label: "Risk monitor", permission: "accounts.read_any" },
      { href: "/admin/kyc", label: "KYC review", permission: "backoffice.view" },
      { href: "/admin/payouts", label: "Payouts", permission: "backoffice.view" },
    ],
  },
  {
    label: "Business",
    links: [
      { href: "/admin/orders", label: "Orders", permission: "orders.read" },
      { href: "/admin/analytics", label: "Analytics", permission: "analytics.read" },
      { href: "/admin/plans", label: "Plans", permission: "plans.manage" },
      { href: "/admin/coupons", label: "Coupons", permission: "coupons.manage" },
      { href: "/admin/instruments", label: "Instruments", permission: "instruments.manage" },
    ],
  },
  {
    label: "Site and records",
    links: [
      { href: "/admin/audit", label: "Audit log", permission: "audit.read" },
      { href: "/admin/outbox", label: "Mail outbox", permission: "mail.read" },
      { href: "/admin/faq", label: "FAQ", permission: "content.manage" },
      { href: "/admin/testimonials", label: "Testimonials", permission: "content.manage" },
    ],
  },
];

/** The sections with only the links `user` may open (empty sections dropped). */
export function adminSectionsFor(user: { role: Role } | null | undefined) {
  return ADMIN_SECTIONS
    .map((s) => ({ label: s.label, links: s.links.filter((l) => can(user, l.permission)) }))
    .filter((s) => s.links.length > 0);
}

/** Whether `href` is the screen `path` belongs to (a user's page belongs to Users). */
export function isCurrent(href: string, path: string): boolean {
  return path === href || path.startsWith(`${href}/`);
}

/** The back office's navigation: a column beside the page from `lg` up, a compact wrapped list below. */
export function AdminNav(props: { user: { role: Role } | null | undefined; current: string }) {
  const sections = adminSectionsFor(props.user);
  return (
    <nav aria-label="Back office" class="text-sm">
      <a
        href="/admin"
        class="nav-link font-semibold"
        aria-current={props.current === "/admin" ? "page" : undefined}
      >
        Overview
      </a>
      {sections.map((s) => (
        <div key={s.label} class="mt-4">
          <p class="text-xs font-semibold uppercase tracking-wider text-muted">{s.label}</p>
          <ul class="mt-1 flex flex-wrap gap-x-4 gap-y-1 lg:flex-col">
            {s.links.map((l) => (
              <li key={l.href}>
                <a
                  href={l.href}
                  class="nav-link"
                  aria-current={isCurrent(l.href, props.current) ? "page" : undefined}
                >
                  {l.label}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
