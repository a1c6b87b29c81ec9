import { define } from "../_define.ts";
import { AdminNav } from "../../components/admin_nav.tsx";

/** Back-office frame. Every page below declares staff-only access, so visitors never see this layout. */
export default define.layout(({ Component, url, state }) => (
  <div class="container-page py-10">
    <p class="text-sm font-semibold uppercase tracking-wider text-brand">Back office</p>
    <div class="mt-4 grid gap-8 lg:grid-cols-[11rem_minmax(0,1fr)]">
      <div class="border-b border-line pb-4 lg:border-b-0 lg:border-r lg:pb-0 lg:pr-4">
        <AdminNav user={state.user} current={url.pathname} />
      </div>
      <div class="min-w-0">
        <Component />
      </div>
    </div>
  </div>
));
