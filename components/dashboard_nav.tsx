import { SubNav } from "./sub_nav.tsx";

export const DASHBOARD_LINKS = [
  { href: "/dashboard", label: "Overview" },
  { href: "/dashboard/history", label: "History" },
  { href: "/dashboard/statistics", label: "Statistics" },
  { href: "/dashboard/payouts", label: "Payouts" },
  { href: "/dashboard/verification", label: "Verification" },
  { href: "/dashboard/notifications", label: "Notifications" },
] as const;

/** The trader dashboard's own navigation (the list above; the header's menu shows the same), the current one marked. */
export function DashboardNav(props: { current: (typeof DASHBOARD_LINKS)[number]["href"]; class?: string }) {
  return <SubNav label="Dashboard" links={DASHBOARD_LINKS} current={props.current} class={props.class} />;
}
