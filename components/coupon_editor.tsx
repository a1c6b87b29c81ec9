import type { FieldErrors } from "../lib/errors.ts";
import type { CouponFormValues } from "../services/commerce/coupon_form.ts";
import { zoneLabel } from "../services/time.ts";
import { Checkbox, Field, Select, SubmitButton } from "./form.tsx";

/**
 * The back office's coupon form: creates one (`id` null) or edits the one with `id`, where only the expiry,
 * the limits and the switch may change (kind, value and plans are what orders were sold at). Works without
 * JavaScript; errors come back next to their fields.
 */
export function CouponEditor(props: {
  id: string | null;
  values: CouponFormValues;
  errors: FieldErrors;
  plans: { id: string; name: string }[];
  zone: string;
}) {
  const { values: v, errors } = props;
  const editing = props.id !== null;
  const zone = zoneLabel(props.zone);
  return (
    <form method="post" action="/admin/coupons#editor" class="mt-5 space-y-5" noValidate>
      {props.id && <input type="hidden" name="id" value={props.id} />}
      <div class="grid gap-5 sm:grid-cols-2">
        <Field
          name="code"
          label="Code"
          value={v.code}
          error={errors.code}
          readOnly={editing}
          maxLength={32}
          autocomplete="off"
          hint="3 to 32 letters, digits, - or _. Traders may type it in any case."
        />
        <Select
          name="kind"
          label="Discount kind"
          value={v.kind}
          error={errors.kind}
          disabled={editing}
          options={[{ value: "percent", label: "Percent of the price" }, {
            value: "amount",
            label: "Fixed amount",
          }]}
        />
        <Field
          name="value"
          label="Discount"
          value={v.value}
          error={errors.value}
          readOnly={editing}
          inputMode="decimal"
          hint="Percent: 0.01 to 100. Amount: money, e.g. 50.00."
        />
        <Field
          name="currency"
          label="Currency (amount coupons)"
          value={v.currency}
          error={errors.currency}
          readOnly={editing}
          maxLength={3}
          hint="The plans' currency, e.g. USD. Ignored for percent coupons."
        />
        {!editing && (
          <Field
            name="startsAt"
            label="Valid from (optional)"
            type="datetime-local"
            value={v.startsAt}
            error={errors.startsAt}
            hint={`Your time, ${zone}. Blank: at once.`}
          />
        )}
        <Field
          name="expiresAt"
          label="Expires (optional)"
          type="datetime-local"
          value={v.expiresAt}
          error={errors.expiresAt}
          hint={`Your time, ${zone}. Blank: never.`}
        />
        <Field
          name="maxRedemptions"
          label="Total uses (optional)"
          inputMode="numeric"
          value={v.maxRedemptions}
          error={errors.maxRedemptions}
          hint="Paid orders in all. Blank: no limit."
        />
        <Field
          name="maxPerUser"
          label="Uses per trader (optional)"
          inputMode="numeric"
          value={v.maxPerUser}
          error={errors.maxPerUser}
          hint="Blank: no limit."
        />
      </div>
      {!editing && (
        <fieldset>
          <legend class="text-sm font-medium">Plans</legend>
          <p class="mt-1 text-sm text-muted">Tick none for every plan.</p>
          {errors.planIds && (
            <p class="mt-1 text-sm font-medium text-red-700 dark:text-red-400">{errors.planIds}</p>
          )}
          <div class="mt-2 grid max-h-56 gap-2 overflow-y-auto rounded-lg border border-line p-3 sm:grid-cols-2">
            {props.plans.map((p) => (
              <Checkbox key={p.id} name={`plan.${p.id}`} label={p.name} checked={v.planIds.includes(p.id)} />
            ))}
          </div>
        </fieldset>
      )}
      <Checkbox
        name="active"
        label="Switched on"
        checked={v.active}
        hint="Checkout accepts it only when on."
      />
      <div class="flex flex-wrap items-center gap-4">
        <SubmitButton intent={editing ? "update" : "create"}>
          {editing ? "Save coupon" : "Create coupon"}
        </SubmitButton>
        {editing && <a class="link text-sm" href="/admin/coupons">Cancel editing</a>}
      </div>
    </form>
  );
}
