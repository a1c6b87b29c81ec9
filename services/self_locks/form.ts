/**
 * The self-locks settings form (works without JavaScript): text fields named like the API's body, an empty
 * field meaning "off". Parsed into the API's input and validated by the same schema, so the page and the API
 * refuse the same things with the same words.
 */
import type { FieldErrors } from "../../lib/errors.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { type SelfLockSettings, SETTING_KEYS } from "./settings.ts";
import { selfLocksErrors, selfLocksInput } from "./input.ts";

/** What the form shows in its fields: the raw text. */
export type SelfLocksFormValues = Record<(typeof SETTING_KEYS)[number], string>;

export type ParsedForm =
  | { ok: true; settings: SelfLockSettings }
  | { ok: false; values: SelfLocksFormValues; errors: FieldErrors };

/** The form's text for settings (null → empty). */
export function formValuesOf(settings: SelfLockSettings): SelfLocksFormValues {
  const text = (v: string | number | null) => v === null ? "" : String(v);
  return {
    dailyLossLimit: text(settings.dailyLossLimit),
    maxTradesPerDay: text(settings.maxTradesPerDay),
    cooldownLosses: text(settings.cooldownLosses),
    cooldownMinutes: text(settings.cooldownMinutes),
  };
}

export function parseSelfLocksForm(form: Record<string, string>): ParsedForm {
  const values = Object.fromEntries(
    SETTING_KEYS.map((k) => [k, (form[k] ?? "").trim().slice(0, 40)]),
  ) as SelfLocksFormValues;
  // Thousands separators are how people write money; the schema wants a plain decimal.
  const money = values.dailyLossLimit.replace(/[,\s]/g, "");
  const whole = (v: string) => v === "" ? null : /^\d{1,9}$/.test(v) ? Number(v) : v;
  const input = {
    dailyLossLimit: money === "" ? null : money,
    maxTradesPerDay: whole(values.maxTradesPerDay),
    cooldownLosses: whole(values.cooldownLosses),
    cooldownMinutes: whole(values.cooldownMinutes),
  };
  const result = selfLocksInput.safeParse(input);
  if (result.success) return { ok: true, settings: result.data };
  const errors = selfLocksErrors(input, fieldErrors(result.error));
  // The API's wording names the wire format; a person typing an amount needs an example of one.
  if (errors.dailyLossLimit?.startsWith("must be a decimal string")) {
    errors.dailyLossLimit = `must be an amount such as 500 or 250.50 (${
      values.dailyLossLimit.slice(0, 20)
    } is not)`;
  }
  return { ok: false, values, errors };
}
