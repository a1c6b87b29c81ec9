import { define } from "../_define.ts";
import { SubNav } from "../../components/sub_nav.tsx";
import { can, type Permission } from "../../services/auth/roles.ts";

// Each link shows only to staff who may open it (the others would get a 404 behind it).
const LINKS: { href: string; label: string; permission: Permission }[] = [
  { href: "/admin", label: "Overview", permission: "backoffice.view" },
  { href: "/admin/payouts", label: "Payouts", permission: "backoffice.view" },
  { href: "/admin/outbox", label: "Mail outbox", permission: "mail.read" },
  { href: "/admin/kyc", label: "KYC review", permission: "backoffice.view" },
  { href: "/admin/testimonials", label: "Testimonials", permission: "plans.manage" },
];

/** Back-office frame. Every page below declares staff-only access, so visitors never see this layout. */
export default define.layout(({ Component, url, state }) => (
  <div class="container-page py-10">
    <p class="text-sm font-semibold uppercase tracking-wider text-brand">Back office</p>
    <SubNav
      label="Back office"
      links={LINKS.filter((l) => can(state.user, l.permission))}
      current={url.pathname}
      class="mt-3"
    />
    <div class="mt-8">
      <Component />
    </div>
  </div>
));
