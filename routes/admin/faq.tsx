import type { ComponentChildren } from "preact";
import { define, setMeta, type SignedInState } from "../_define.ts";
import { type Context, page } from "../../lib/define.ts";
import { BadRequest, type FieldErrors, NotFound } from "../../lib/errors.ts";
import { isUuid, readForm } from "../../lib/validation.ts";
import { rolesWith } from "../../services/auth/roles.ts";
import { adminFaq, createFaq, editFaq, moveFaq, removeFaq } from "../../services/faq/admin.ts";
import type { AdminFaqEntry } from "../../services/faq/admin_queries.ts";
import { FAQ_CATEGORIES, FAQ_CATEGORY_LABELS } from "../../services/faq/search.ts";
import {
  Checkbox,
  Field,
  FormError,
  formErrorHeaders,
  isFormError,
  Notice,
  Select,
  SubmitButton,
  TextArea,
} from "../../components/form.tsx";
import { StatusBadge } from "../../components/status_badge.tsx";
import { DateTime, ZoneNote } from "../../components/date_time.tsx";

/** The public FAQ's editor. Content managers (admins) only; everyone else gets the ordinary 404. */
export const access = rolesWith("content.manage");

const SAVED: Record<string, string> = {
  created: "The entry has been added.",
  updated: "The entry has been saved.",
  moved: "The order has been changed.",
  deleted: "The entry has been deleted.",
};

interface Values {
  category: string;
  question: string;
  slug: string;
  answer: string;
  published: boolean;
}

interface Data {
  entries: AdminFaqEntry[];
  editing: AdminFaqEntry | null;
  confirmDelete: AdminFaqEntry | null;
  editor: { values: Values; errors: FieldErrors; message?: string };
  saved: string | null;
  timeZone: string;
}

const EMPTY: Values = { category: "general", question: "", slug: "", answer: "", published: true };

function idOf(value: string | null | undefined): string | null {
  if (!value) return null;
  if (!isUuid(value)) throw new NotFound();
  return value;
}

async function render(
  ctx: Context<SignedInState>,
  ids: { edit: string | null; remove: string | null },
  editor?: Data["editor"],
  init?: ResponseInit,
) {
  setMeta(ctx.state, "FAQ", "The public FAQ: questions, answers and their order.");
  const entries = await adminFaq(ctx.state.deps.db);
  const editing = ids.edit ? entries.find((e) => e.id === ids.edit) ?? null : null;
  const confirmDelete = ids.remove ? entries.find((e) => e.id === ids.remove) ?? null : null;
  if ((ids.edit && !editing) || (ids.remove && !confirmDelete)) throw new NotFound();
  return page<Data>({
    entries,
    editing,
    confirmDelete,
    editor: editor ?? { values: editing ?? EMPTY, errors: {} },
    saved: ctx.url.searchParams.get("saved"),
    timeZone: ctx.state.user.timeZone,
  }, { ...init, headers: { "cache-control": "no-store", ...init?.headers } });
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    const q = ctx.url.searchParams;
    return await render(ctx, { edit: idOf(q.get("edit")), remove: idOf(q.get("delete")) });
  },

  async POST(ctx) {
    const { deps, actor } = ctx.state;
    const form = await readForm(ctx.req);
    const id = idOf(form.id);
    const done = (saved: string, anchor = "") =>
      new Response(null, {
        status: 303,
        headers: { location: `/admin/faq?saved=${saved}${anchor}`, "cache-control": "no-store" },
      });
    const need = () => {
      if (!id) throw new BadRequest("Which entry? The form lacks its id.");
      return id;
    };
    try {
      switch (form.intent) {
        case "create":
          await createFaq(deps, actor, form);
          return done("created");
        case "update":
          await editFaq(deps, actor, need(), form);
          return done("updated");
        case "up":
        case "down":
          await moveFaq(deps, actor, need(), form.intent);
          return done("moved", `#entry-${id}`);
        case "delete":
          await removeFaq(deps, actor, need());
          return done("deleted");
        default:
          throw new BadRequest("Unknown form: send one of the page's buttons.");
      }
    } catch (error) {
      if (!isFormError(error) || (form.intent !== "create" && form.intent !== "update")) throw error;
      const values: Values = {
        category: form.category ?? "",
        question: form.question ?? "",
        slug: form.slug ?? "",
        answer: form.answer ?? "",
        published: form.published === "on",
      };
      const message = error.fields ? "Please correct the highlighted fields." : error.message;
      return await render(
        ctx,
        { edit: form.intent === "update" ? id : null, remove: null },
        { values, errors: error.fields ?? {}, message },
        { status: error.status, headers: formErrorHeaders(error) },
      );
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const groups = FAQ_CATEGORIES
    .map((c) => ({ category: c, entries: data.entries.filter((e) => e.category === c) }))
    .filter((g) => g.entries.length > 0);
  const published = data.entries.filter((e) => e.published).length;
  return (
    <>
      <div class="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 class="text-2xl font-bold tracking-tight">FAQ</h1>
          <p class="mt-2 max-w-2xl text-muted">
            {data.entries.length} {data.entries.length === 1 ? "entry" : "entries"}, {published} published on
            {" "}
            <a class="link" href="/faq">/faq</a>{" "}
            (the home page shows the first of each category). Changes are live as soon as they are saved.
          </p>
        </div>
        <a class="btn-primary" href="/admin/faq#editor">Add an entry</a>
      </div>
      <div class="mt-6 space-y-4">
        {data.saved && SAVED[data.saved] && <Notice>{SAVED[data.saved]}</Notice>}
        {data.confirmDelete && <ConfirmDelete entry={data.confirmDelete} />}
      </div>

      {data.entries.length > 0 && <ZoneNote zone={data.timeZone} class="mt-6" />}
      {groups.map((g) => (
        <section key={g.category} aria-labelledby={`cat-${g.category}`} class="mt-6">
          <h2 id={`cat-${g.category}`} class="text-lg font-semibold">{FAQ_CATEGORY_LABELS[g.category]}</h2>
          <ol class="mt-2 divide-y divide-line rounded-xl border border-line">
            {g.entries.map((e, i) => (
              <Entry
                key={e.id}
                entry={e}
                first={i === 0}
                last={i === g.entries.length - 1}
                zone={data.timeZone}
              />
            ))}
          </ol>
        </section>
      ))}
      {data.entries.length === 0 && <p class="card mt-6">No entries yet. Add the first one below.</p>}

      <section id="editor" aria-labelledby="editor-h" class="card mt-10 max-w-3xl scroll-mt-6">
        <h2 id="editor-h" class="text-xl font-bold tracking-tight">
          {data.editing ? "Edit entry" : "Add an entry"}
        </h2>
        {data.editor.message && (
          <div class="mt-4">
            <FormError>{data.editor.message}</FormError>
          </div>
        )}
        <Editor id={data.editing?.id ?? null} values={data.editor.values} errors={data.editor.errors} />
      </section>
    </>
  );
});

function Entry(props: { entry: AdminFaqEntry; first: boolean; last: boolean; zone: string }) {
  const { entry: e } = props;
  const which = <span class="sr-only">: {e.question}</span>;
  return (
    <li id={`entry-${e.id}`} class="flex flex-col gap-3 p-3 sm:flex-row sm:items-start sm:p-4">
      <form method="post" class="flex shrink-0 gap-1 sm:flex-col">
        <input type="hidden" name="id" value={e.id} />
        <MoveButton intent="up" disabled={props.first}>Move up{which}</MoveButton>
        <MoveButton intent="down" disabled={props.last}>Move down{which}</MoveButton>
      </form>
      <div class="min-w-0 flex-1">
        <p class="font-semibold">{e.question}</p>
        <p class="mt-1 line-clamp-2 text-sm text-muted">{e.answer}</p>
        <p class="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted">
          {e.published
            ? <StatusBadge tone="good">Published</StatusBadge>
            : <StatusBadge tone="neutral">Draft</StatusBadge>}
          <span>#{e.slug}</span>
          <span>
            Updated <DateTime at={e.updatedAt} zone={props.zone} />
          </span>
        </p>
      </div>
      <div class="flex shrink-0 gap-4 text-sm">
        <a class="link" href={`/admin/faq?edit=${e.id}#editor`}>Edit{which}</a>
        <a class="link" href={`/admin/faq?delete=${e.id}`}>Delete…{which}</a>
      </div>
    </li>
  );
}

function MoveButton(props: { intent: "up" | "down"; disabled: boolean; children: ComponentChildren }) {
  return (
    <button
      type="submit"
      name="intent"
      value={props.intent}
      disabled={props.disabled}
      class="inline-flex size-8 items-center justify-center rounded-md border border-line text-muted hover:border-brand hover:text-ink disabled:opacity-30"
    >
      <span aria-hidden="true">{props.intent === "up" ? "↑" : "↓"}</span>
      <span class="sr-only">{props.children}</span>
    </button>
  );
}

function Editor(props: { id: string | null; values: Values; errors: FieldErrors }) {
  const { values: v, errors } = props;
  return (
    <form method="post" action="/admin/faq#editor" class="mt-5 space-y-5" noValidate>
      {props.id && <input type="hidden" name="id" value={props.id} />}
      <div class="grid gap-5 sm:grid-cols-2">
        <Select
          name="category"
          label="Category"
          value={v.category}
          error={errors.category}
          options={FAQ_CATEGORIES.map((c) => ({ value: c, label: FAQ_CATEGORY_LABELS[c] }))}
        />
        <Field
          name="slug"
          label="Anchor (optional)"
          value={v.slug}
          error={errors.slug}
          maxLength={80}
          hint="The link /faq#anchor; derived from the question when blank. Keep it once shared."
        />
      </div>
      <Field name="question" label="Question" value={v.question} error={errors.question} maxLength={300} />
      <TextArea
        name="answer"
        label="Answer"
        rows={6}
        value={v.answer}
        error={errors.answer}
        maxLength={5000}
        hint="Plain text. Separate paragraphs with a blank line."
      />
      <Checkbox name="published" label="Published" checked={v.published} hint="Shown on /faq once saved." />
      <div class="flex flex-wrap items-center gap-4">
        <SubmitButton intent={props.id ? "update" : "create"}>
          {props.id ? "Save entry" : "Add entry"}
        </SubmitButton>
        {props.id && <a class="link text-sm" href="/admin/faq">Cancel editing</a>}
      </div>
    </form>
  );
}

/** Deleting cannot be undone, so the list's "Delete…" link asks first; the button here posts. */
function ConfirmDelete({ entry }: { entry: AdminFaqEntry }) {
  return (
    <div role="alert" class="card space-y-4 border-red-700/40">
      <p class="font-semibold">Delete “{entry.question}”?</p>
      <p class="text-sm text-muted">
        This cannot be undone, and links to /faq#{entry.slug}{" "}
        will stop working. To hide it for now, untick Published instead.
      </p>
      <div class="flex flex-wrap items-center gap-4">
        <form method="post">
          <input type="hidden" name="id" value={entry.id} />
          <SubmitButton intent="delete" variant="danger">Delete entry</SubmitButton>
        </form>
        <a class="link text-sm" href="/admin/faq">Cancel</a>
      </div>
    </div>
  );
}
