import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { BadRequest, type FieldErrors, NotFound } from "../../lib/errors.ts";
import { readForm } from "../../lib/validation.ts";
import { rolesWith } from "../../services/auth/roles.ts";
import { type InstrumentRecord, listInstruments, marketOpen } from "../../services/venue/instruments.ts";
import {
  createInstrument,
  formFieldErrors,
  inputFromForm,
  SYMBOL,
  updateInstrument,
} from "../../services/venue/instrument_admin.ts";
import { FormError, formErrorHeaders, isFormError, Notice } from "../../components/form.tsx";
import { InstrumentEditor, type InstrumentValues } from "../../components/instrument_editor.tsx";
import { grouped, Hours, InstrumentCard, Market } from "../../components/instrument_list.tsx";
import { ZoneNote } from "../../components/date_time.tsx";
import { ScrollRegion } from "../../components/scroll_region.tsx";

/** The venue's instruments (DESIGN §3.5): staff with instruments.manage; everyone else gets the ordinary 404. */
export const access = rolesWith("instruments.manage");

interface Data {
  items: (InstrumentRecord & { open: boolean })[];
  editor: { editing: string | null; values: InstrumentValues; errors: FieldErrors; message?: string } | null;
  saved: string | null;
  timeZone: string;
}

const NO_STORE = { "cache-control": "no-store" };

const EMPTY: InstrumentValues = {
  symbol: "",
  name: "",
  contractSize: "1",
  tickSize: "0.01",
  quoteCurrency: "USD",
  spread: "0",
  commissionPerLot: "0",
  leverage: "50",
  volatility: "0.00005",
  referencePrice: "",
  hoursMode: "sessions",
  timeZone: "America/New_York",
  open: "18:00",
  close: "17:00",
  days: [7, 1, 2, 3, 4],
  active: true,
};

function valuesOf(i: InstrumentRecord): InstrumentValues {
  const sessions = i.hours === "24/7" ? null : i.hours;
  return {
    symbol: i.symbol,
    name: i.name,
    contractSize: i.contractSize,
    tickSize: i.tickSize,
    quoteCurrency: i.quoteCurrency,
    spread: i.spread,
    commissionPerLot: i.commissionPerLot,
    leverage: String(i.leverage),
    volatility: i.volatility,
    referencePrice: i.referencePrice,
    hoursMode: sessions ? "sessions" : "24/7",
    timeZone: sessions?.timeZone ?? EMPTY.timeZone,
    open: sessions?.open ?? EMPTY.open,
    close: sessions?.close ?? EMPTY.close,
    days: sessions?.days ?? EMPTY.days,
    active: i.active,
  };
}

function formValues(form: Record<string, string>): InstrumentValues {
  return {
    symbol: form.symbol ?? "",
    name: form.name ?? "",
    contractSize: form.contractSize ?? "",
    tickSize: form.tickSize ?? "",
    quoteCurrency: form.quoteCurrency ?? "",
    spread: form.spread ?? "",
    commissionPerLot: form.commissionPerLot ?? "",
    leverage: form.leverage ?? "",
    volatility: form.volatility ?? "",
    referencePrice: form.referencePrice ?? "",
    hoursMode: form.hoursMode === "24/7" ? "24/7" : "sessions",
    timeZone: form.timeZone ?? "",
    open: form.open ?? "",
    close: form.close ?? "",
    days: [1, 2, 3, 4, 5, 6, 7].filter((d) => form[`day${d}`] === "on"),
    active: form.active === "on",
  };
}

async function listed(db: Parameters<typeof listInstruments>[0]) {
  const now = new Date();
  return (await listInstruments(db)).map((i) => ({ ...i, open: marketOpen(i, now) }));
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Instruments", "The venue's instruments.");
    const { db } = ctx.state.deps;
    const items = await listed(db.sql);
    const edit = ctx.url.searchParams.get("edit");
    let editor: Data["editor"] = null;
    if (edit) {
      const item = SYMBOL.test(edit) ? items.find((i) => i.symbol === edit) : undefined;
      if (!item) throw new NotFound("No such instrument.");
      editor = { editing: item.symbol, values: valuesOf(item), errors: {} };
    } else if (ctx.url.searchParams.has("new")) {
      editor = { editing: null, values: EMPTY, errors: {} };
    }
    return page({
      items,
      editor,
      saved: ctx.url.searchParams.get("saved"),
      timeZone: ctx.state.user.timeZone,
    }, {
      headers: NO_STORE,
    });
  },

  async POST(ctx) {
    setMeta(ctx.state, "Instruments", "The venue's instruments.");
    const { deps, actor } = ctx.state;
    const form = await readForm(ctx.req);
    const editing = form.intent === "update" ? form.symbol ?? "" : null;
    try {
      if (form.intent === "create") {
        const created = await createInstrument(deps.db, actor, inputFromForm(form));
        return done(created.symbol);
      }
      if (form.intent === "update") {
        if (!editing || !SYMBOL.test(editing)) throw new NotFound("No such instrument.");
        const { symbol: _fixed, ...input } = inputFromForm(form);
        await updateInstrument(deps.db, actor, editing, input);
        return done(editing);
      }
      throw new BadRequest("Unknown form: send one of the page's buttons.");
    } catch (error) {
      if (
        !isFormError(error) || error.status === 404 || (form.intent !== "create" && form.intent !== "update")
      ) {
        throw error;
      }
      const errors = formFieldErrors(error.fields ?? {});
      return page<Data>({
        items: await listed(deps.db.sql),
        editor: {
          editing,
          values: formValues(form),
          errors,
          message: error.fields ? "Please correct the highlighted fields." : error.message,
        },
        saved: null,
        timeZone: ctx.state.user.timeZone,
      }, { status: error.status, headers: formErrorHeaders(error) });
    }
  },
}, { access });

/** Post/redirect/get: a reload after saving does not submit the form again. */
function done(symbol: string): Response {
  return new Response(null, {
    status: 303,
    headers: { location: `/admin/instruments?saved=${symbol}`, "cache-control": "no-store" },
  });
}

export default define.page<typeof handler>(({ data }) => (
  <>
    <div class="flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 class="text-2xl font-bold tracking-tight">Instruments</h1>
        <p class="mt-2 max-w-2xl text-muted">
          What traders can trade on the built-in venue: contract, price grid, costs, leverage and hours.
          Changes apply to new orders at once and reach the simulated feed within 30 seconds.
        </p>
      </div>
      {!data.editor && <a class="btn-primary" href="/admin/instruments?new=1#editor">Add instrument</a>}
    </div>
    {data.saved && SYMBOL.test(data.saved) && (
      <div class="mt-6">
        <Notice>{data.saved} has been saved.</Notice>
      </div>
    )}

    {data.editor && (
      <section id="editor" aria-labelledby="editor-h" class="card mt-8 max-w-4xl scroll-mt-6">
        <h2 id="editor-h" class="text-xl font-bold tracking-tight">
          {data.editor.editing ? `Edit ${data.editor.editing}` : "Add an instrument"}
        </h2>
        {data.editor.message && (
          <div class="mt-4">
            <FormError>{data.editor.message}</FormError>
          </div>
        )}
        <InstrumentEditor
          editing={data.editor.editing}
          values={data.editor.values}
          errors={data.editor.errors}
        />
      </section>
    )}

    <section aria-labelledby="list-h" class="mt-8">
      <h2 id="list-h" class="sr-only">All instruments</h2>
      <ZoneNote zone={data.timeZone} class="md:hidden" />
      <ul class="mt-3 space-y-3 md:hidden">
        {data.items.map((i) => <InstrumentCard key={i.symbol} item={i} timeZone={data.timeZone} />)}
      </ul>
      <ScrollRegion label="Instruments" class="mt-3 hidden rounded-xl border border-line md:block">
        <table class="w-full text-left text-sm">
          <caption class="sr-only">Instruments, by symbol</caption>
          <thead class="bg-raised">
            <tr>
              <th scope="col" class="p-3">Instrument</th>
              <th scope="col" class="p-3 text-right">Contract</th>
              <th scope="col" class="p-3 text-right">Tick</th>
              <th scope="col" class="p-3 text-right">Spread</th>
              <th scope="col" class="p-3 text-right">Commission</th>
              <th scope="col" class="p-3 text-right">Leverage</th>
              <th scope="col" class="p-3">Hours</th>
              <th scope="col" class="p-3">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody class="divide-y divide-line">
            {data.items.map((i) => (
              <tr key={i.symbol}>
                <th scope="row" class="p-3 font-semibold whitespace-nowrap">
                  {i.symbol} <Market item={i} />
                  <span class="block text-xs font-normal text-muted">{i.name}</span>
                </th>
                <td class="p-3 text-right tabular-nums whitespace-nowrap">{grouped(i.contractSize)}</td>
                <td class="p-3 text-right tabular-nums whitespace-nowrap">
                  {i.tickSize} <span class="text-muted">{i.quoteCurrency}</span>
                </td>
                <td class="p-3 text-right tabular-nums">{i.spread}</td>
                <td class="p-3 text-right tabular-nums whitespace-nowrap">${i.commissionPerLot}</td>
                <td class="p-3 text-right tabular-nums">1:{i.leverage}</td>
                <td class="p-3">
                  <Hours item={i} />
                </td>
                <td class="p-3 text-right">
                  <a class="link" href={`/admin/instruments?edit=${i.symbol}#editor`}>
                    Edit <span class="sr-only">{i.symbol}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  </>
));
