import { define } from "../_define.ts";
import { SubNav } from "../../components/sub_nav.tsx";

const LINKS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/outbox", label: "Mail outbox" },
];

/** Back-office frame. Every page below declares staff-only access, so visitors never see this layout. */
export default define.layout(({ Component, url }) => (
  <div class="container-page py-10">
    <p class="text-sm font-semibold uppercase tracking-wider text-brand">Back office</p>
    <SubNav label="Back office" links={LINKS} current={url.pathname} class="mt-3" />
    <div class="mt-8">
      <Component />
    </div>
  </div>
));
