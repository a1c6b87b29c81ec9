import { StatusBadge } from "./status_badge.tsx";

/** Order statuses as staff read them, with their tone (the word carries the meaning, colour repeats it). */
export const ORDER_STATUS: Record<string, { label: string; tone: "good" | "neutral" | "bad" }> = {
  pending: { label: "Awaiting payment", tone: "neutral" },
  paid: { label: "Paid", tone: "good" },
  failed: { label: "Payment failed", tone: "bad" },
  cancelled: { label: "Cancelled", tone: "neutral" },
  expired: { label: "Expired unpaid", tone: "neutral" },
  refunded: { label: "Refunded", tone: "bad" },
};

/** Why an order is flagged, in words staff act on. */
export const ORDER_FLAG: Record<string, { label: string; why: string }> = {
  coupon_over_limit: {
    label: "Coupon over its limit",
    why:
      "Paid after its coupon hold lapsed, when the coupon had no use left: the order opened no challenge, " +
      "so the money is to be refunded.",
  },
};

/** An order's status badge; "Partly refunded" for a paid order with refunds. */
export function OrderStatusBadge(props: { status: string; refunded?: string }) {
  const partly = props.status === "paid" && props.refunded !== undefined && props.refunded !== "0.00";
  const s = partly ? { label: "Partly refunded", tone: "neutral" as const } : ORDER_STATUS[props.status];
  return <StatusBadge tone={s?.tone ?? "neutral"}>{s?.label ?? props.status}</StatusBadge>;
}
