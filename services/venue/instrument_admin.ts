/**
 * Staff edits of the venue's instruments (/admin/instruments and its API): one schema for the JSON API and the
 * form, every change audited (with what changed) in the transaction that makes it. The simulated feed picks up
 * a change within its reload interval (feed.ts); orders read the row at order time.
 */
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { Conflict, NotFound } from "../../lib/errors.ts";
import { validate } from "../../lib/validation.ts";
import { compareDecimal, isDecimal, onGrid, placesOf } from "./decimal.ts";
import { instrumentBySymbol, type InstrumentRecord } from "./instruments.ts";
import { isHhmm, isTimeZone } from "./market_hours.ts";

export const SYMBOL = /^[A-Z0-9]{3,12}$/;
/** The path parameter: a malformed symbol answers like an unknown one. */
export const symbolParam = z.string().regex(SYMBOL, "No such instrument.");

const decimal = (places: number, opts: { min?: string; positive?: boolean; max?: string } = {}) =>
  z.string().trim()
    .refine((v) => isDecimal(v) && v.length <= 24, "must be a decimal number, e.g. 0.0001")
    .refine((v) => !isDecimal(v) || placesOf(v) <= places, `must have at most ${places} decimals`)
    .refine(
      (v) => !isDecimal(v) || (opts.positive ? compareDecimal(v, "0") > 0 : compareDecimal(v, "0") >= 0),
      opts.positive ? "must be greater than 0" : "must be 0 or more",
    )
    .refine(
      (v) => !isDecimal(v) || !opts.max || compareDecimal(v, opts.max) <= 0,
      `must be at most ${opts.max}`,
    );

const hoursSchema = z.union([
  z.literal("24/7"),
  z.object({
    timeZone: z.string().refine(isTimeZone, "must be a time zone such as America/New_York"),
    open: z.string().refine(isHhmm, "must be a time HH:MM (24-hour)"),
    close: z.string().refine(isHhmm, "must be a time HH:MM (24-hour)"),
    days: z.array(z.int().min(1).max(7)).min(1, "pick at least one day").max(7)
      .refine((d) => new Set(d).size === d.length, "lists a day twice"),
  }),
], 'must be "24/7" or { timeZone, open, close, days }');

/** What staff set; the symbol is fixed once created. */
export const instrumentInput = z.object({
  name: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters"),
  contractSize: decimal(6, { positive: true, max: "1000000000" }),
  tickSize: decimal(10, { positive: true, max: "1000" }),
  quoteCurrency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, "must be a 3-letter currency code"),
  spread: decimal(10, { max: "1000000" }),
  commissionPerLot: decimal(2, { max: "10000" }),
  leverage: z.coerce.number("must be a whole number").int("must be a whole number").min(
    1,
    "must be at least 1",
  )
    .max(1000, "must be at most 1000"),
  volatility: decimal(10, { max: "0.01" }),
  referencePrice: decimal(10, { positive: true, max: "1000000000" }),
  hours: hoursSchema,
  active: z.boolean().default(true),
}).superRefine((v, ctx) => {
  // The simulator quotes whole ticks: a spread or a reference price between two ticks cannot be shown.
  if (!onGrid(v.spread, v.tickSize) && compareDecimal(v.spread, "0") !== 0) {
    ctx.addIssue({
      code: "custom",
      path: ["spread"],
      message: `must be a multiple of the tick size ${v.tickSize}`,
    });
  }
  if (!onGrid(v.referencePrice, v.tickSize)) {
    ctx.addIssue({
      code: "custom",
      path: ["referencePrice"],
      message: `must be a multiple of the tick size ${v.tickSize}`,
    });
  }
});

export const newInstrumentInput = z.object({
  symbol: z.string().trim().toUpperCase().regex(SYMBOL, "must be 3 to 12 letters or digits, e.g. EURUSD"),
}).and(instrumentInput);

export type InstrumentInput = z.infer<typeof instrumentInput>;

const AUDITED = [
  "name",
  "contractSize",
  "tickSize",
  "quoteCurrency",
  "spread",
  "commissionPerLot",
  "leverage",
  "volatility",
  "referencePrice",
  "hours",
  "active",
] as const;

function diff(
  before: InstrumentRecord,
  after: InstrumentInput,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of AUDITED) {
    const from = before[key];
    const to = after[key];
    const same = typeof from === "string" && typeof to === "string" && isDecimal(from) && isDecimal(to)
      ? compareDecimal(from, to) === 0
      : JSON.stringify(from) === JSON.stringify(to);
    if (!same) changes[key] = { from, to };
  }
  return changes;
}

/** Creates an instrument (409 when the symbol exists); audited as admin.instrument_created. */
export async function createInstrument(db: Db, actor: Actor, raw: unknown): Promise<InstrumentRecord> {
  const input = validate(newInstrumentInput, raw);
  return await db.tx(async (tx) => {
    const inserted = await tx`
      insert into venue_instruments (symbol, name, contract_size, tick_size, quote_currency, spread,
        commission_per_lot, leverage, volatility, reference_price, hours, active)
      values (${input.symbol}, ${input.name}, ${input.contractSize}, ${input.tickSize}, ${input.quoteCurrency},
        ${input.spread}, ${input.commissionPerLot}, ${input.leverage}, ${input.volatility},
        ${input.referencePrice}, ${tx.json(input.hours)}, ${input.active})
      on conflict (symbol) do nothing returning symbol`;
    if (!inserted.length) {
      throw new Conflict(`${input.symbol} exists already; edit it instead.`, { symbol: "exists already" });
    }
    const { symbol: _symbol, ...details } = input;
    await recordAudit(tx, actor, "admin.instrument_created", {
      type: "instrument",
      id: input.symbol,
      details,
    });
    return (await instrumentBySymbol(tx, input.symbol))!;
  });
}

/** Replaces an instrument's settings (404 for an unknown symbol); audited with each changed field. */
export async function updateInstrument(
  db: Db,
  actor: Actor,
  symbol: string,
  raw: unknown,
): Promise<InstrumentRecord> {
  const input = validate(instrumentInput, raw);
  return await db.tx(async (tx) => {
    const [locked] = await tx`select symbol from venue_instruments where symbol = ${symbol} for update`;
    if (!locked) throw new NotFound("No such instrument.");
    const before = (await instrumentBySymbol(tx, symbol))!;
    const changes = diff(before, input);
    await tx`
      update venue_instruments set name = ${input.name}, contract_size = ${input.contractSize},
        tick_size = ${input.tickSize}, quote_currency = ${input.quoteCurrency}, spread = ${input.spread},
        commission_per_lot = ${input.commissionPerLot}, leverage = ${input.leverage},
        volatility = ${input.volatility}, reference_price = ${input.referencePrice},
        hours = ${tx.json(input.hours)}, active = ${input.active}, updated_at = now()
      where symbol = ${symbol}`;
    await recordAudit(tx, actor, "admin.instrument_updated", {
      type: "instrument",
      id: symbol,
      details: { changes },
    });
    return (await instrumentBySymbol(tx, symbol))!;
  });
}

/**
 * The admin form's flat fields → the API's shape: hours from `hoursMode` (`24/7` or `sessions`), `timeZone`,
 * `open`, `close` and one checkbox per day (`day1` … `day7`), `active` from its checkbox.
 */
export function inputFromForm(form: Record<string, string>): Record<string, unknown> {
  const days = [1, 2, 3, 4, 5, 6, 7].filter((d) => form[`day${d}`] === "on");
  return {
    ...(form.symbol !== undefined ? { symbol: form.symbol } : {}),
    name: form.name ?? "",
    contractSize: form.contractSize ?? "",
    tickSize: form.tickSize ?? "",
    quoteCurrency: form.quoteCurrency ?? "",
    spread: form.spread ?? "",
    commissionPerLot: form.commissionPerLot ?? "",
    leverage: form.leverage ?? "",
    volatility: form.volatility ?? "",
    referencePrice: form.referencePrice ?? "",
    hours: form.hoursMode === "24/7"
      ? "24/7"
      : { timeZone: form.timeZone ?? "", open: form.open ?? "", close: form.close ?? "", days },
    active: form.active === "on",
  };
}

/** The API's field paths → the form's field names (`hours.timeZone` → `timeZone`, `hours.days` → `days`). */
export function formFieldErrors(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const key = path.startsWith("hours.") ? path.slice(6).replace(/\.\d+$/, "") : path;
    out[key] ??= message;
  }
  return out;
}
