import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { BadRequest, type FieldErrors, NotFound } from "../../lib/errors.ts";
import { readForm } from "../../lib/validation.ts";
import { rolesWith } from "../../services/auth/roles.ts";
import { findTestimonial, listTestimonials, type Testimonial } from "../../services/testimonials/queries.ts";
import {
  createTestimonial,
  editTestimonial,
  publishTestimonial,
  removeTestimonial,
  testimonialId,
} from "../../services/testimonials/admin.ts";
import { FormError, formErrorHeaders, isFormError, Notice, SubmitButton } from "../../components/form.tsx";
import { TestimonialCard } from "../../components/testimonials.tsx";
import { type EditorValues, TestimonialEditor } from "../../components/testimonial_editor.tsx";
import { DateTime, ZoneNote } from "../../components/date_time.tsx";

/**
 * Home-page testimonials. Plan managers (admins) only: they are marketing content like the plans; everyone
 * else gets the ordinary 404.
 */
export const access = rolesWith("content.manage");

const SAVED: Record<string, string> = {
  created: "The testimonial has been added.",
  updated: "The testimonial has been saved.",
  published: "The testimonial is now on the home page.",
  unpublished: "The testimonial has been taken off the home page.",
  deleted: "The testimonial has been deleted.",
};

interface Data {
  items: Testimonial[];
  /** The editor: empty for a new testimonial, or the one being edited. */
  editor: { id: string | null; values: EditorValues; errors: FieldErrors; message?: string };
  confirmDelete: Testimonial | null;
  saved: string | null;
  timeZone: string;
}

const EMPTY: EditorValues = { quote: "", authorName: "", authorDetail: "", position: "0", published: false };
const NO_STORE = { "cache-control": "no-store" };

function valuesOf(t: Testimonial): EditorValues {
  return { ...t, position: String(t.position) };
}

/** An id from the query or a form, or null when absent; a malformed one is a 404 like an unknown one. */
function idParam(value: string | null | undefined): string | null {
  if (!value) return null;
  if (!testimonialId.safeParse(value).success) throw new NotFound();
  return value;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Testimonials", "Home-page testimonials.");
    const { db } = ctx.state.deps;
    const editId = idParam(ctx.url.searchParams.get("edit"));
    const deleteId = idParam(ctx.url.searchParams.get("delete"));
    const editing = editId ? await findTestimonial(db, editId) : null;
    const confirmDelete = deleteId ? await findTestimonial(db, deleteId) : null;
    if ((editId && !editing) || (deleteId && !confirmDelete)) throw new NotFound();
    return page({
      items: await listTestimonials(db),
      editor: { id: editing?.id ?? null, values: editing ? valuesOf(editing) : EMPTY, errors: {} },
      confirmDelete,
      saved: ctx.url.searchParams.get("saved"),
      timeZone: ctx.state.user.timeZone,
    }, { headers: NO_STORE });
  },

  async POST(ctx) {
    setMeta(ctx.state, "Testimonials", "Home-page testimonials.");
    const { deps, actor } = ctx.state;
    const form = await readForm(ctx.req);
    const id = idParam(form.id);
    try {
      switch (form.intent) {
        case "create":
          await createTestimonial(deps, actor, form);
          return done("created");
        case "update":
          if (!id) throw new BadRequest("Which testimonial? The form lacks its id.");
          await editTestimonial(deps, actor, id, form);
          return done("updated");
        case "publish":
        case "unpublish":
          if (!id) throw new BadRequest("Which testimonial? The form lacks its id.");
          await publishTestimonial(deps, actor, id, form.intent === "publish");
          return done(`${form.intent}ed`);
        case "delete":
          if (!id) throw new BadRequest("Which testimonial? The form lacks its id.");
          await removeTestimonial(deps, actor, id);
          return done("deleted");
        default:
          throw new BadRequest("Unknown form: send one of the page's buttons.");
      }
    } catch (error) {
      if (!isFormError(error) || (form.intent !== "create" && form.intent !== "update")) throw error;
      const values: EditorValues = {
        quote: form.quote ?? "",
        authorName: form.authorName ?? "",
        authorDetail: form.authorDetail ?? "",
        position: form.position ?? "0",
        published: form.published === "on",
      };
      return page<Data>({
        items: await listTestimonials(deps.db),
        editor: {
          id: form.intent === "update" ? id : null,
          values,
          errors: error.fields ?? {},
          message: error.fields ? "Please correct the highlighted fields." : error.message,
        },
        confirmDelete: null,
        saved: null,
        timeZone: ctx.state.user.timeZone,
      }, { status: error.status, headers: formErrorHeaders(error) });
    }
  },
}, { access });

/** Post/redirect/get: a reload after saving does not submit the form again. */
function done(saved: string): Response {
  return new Response(null, {
    status: 303,
    headers: { location: `/admin/testimonials?saved=${saved}`, "cache-control": "no-store" },
  });
}

export default define.page<typeof handler>(({ data }) => (
  <>
    <h1 class="text-2xl font-bold tracking-tight">Testimonials</h1>
    <p class="mt-2 max-w-2xl text-muted">
      Published testimonials appear on the home page in the order of their position (lowest first, at most
      six). With none published, the home page shows no testimonials section at all.
    </p>
    <div class="mt-6 space-y-4">
      {data.saved && SAVED[data.saved] && <Notice>{SAVED[data.saved]}</Notice>}
      {data.confirmDelete && <ConfirmDelete item={data.confirmDelete} />}
    </div>

    <section aria-labelledby="list-h" class="mt-8">
      <h2 id="list-h" class="text-xl font-bold tracking-tight">All testimonials</h2>
      {data.items.length > 0 && <ZoneNote zone={data.timeZone} class="mt-1" />}
      {data.items.length === 0
        ? <p class="mt-3 text-muted">None yet. Add the first one below.</p>
        : (
          <ul class="mt-4 grid gap-6 lg:grid-cols-2">
            {data.items.map((t) => <Row key={t.id} item={t} timeZone={data.timeZone} />)}
          </ul>
        )}
    </section>

    <section id="editor" aria-labelledby="editor-h" class="card mt-10 max-w-2xl scroll-mt-6">
      <h2 id="editor-h" class="text-xl font-bold tracking-tight">
        {data.editor.id ? "Edit testimonial" : "Add a testimonial"}
      </h2>
      {data.editor.message && (
        <div class="mt-4">
          <FormError>{data.editor.message}</FormError>
        </div>
      )}
      <TestimonialEditor id={data.editor.id} values={data.editor.values} errors={data.editor.errors} />
    </section>
  </>
));

function Row({ item, timeZone }: { item: Testimonial; timeZone: string }) {
  const who = <span class="sr-only">the quote by {item.authorName}</span>;
  return (
    <li class="space-y-3">
      <TestimonialCard quote={item.quote} authorName={item.authorName} authorDetail={item.authorDetail} />
      <p class="text-sm text-muted">
        {item.published ? "Published" : "Draft"} · position {item.position} · updated{" "}
        <DateTime at={item.updatedAt} zone={timeZone} />
      </p>
      <div class="flex flex-wrap items-center gap-3">
        <form method="post">
          <input type="hidden" name="id" value={item.id} />
          <SubmitButton intent={item.published ? "unpublish" : "publish"} variant="secondary">
            {item.published ? "Unpublish" : "Publish"} {who}
          </SubmitButton>
        </form>
        <a class="link text-sm" href={`/admin/testimonials?edit=${item.id}#editor`}>Edit {who}</a>
        <a class="link text-sm" href={`/admin/testimonials?delete=${item.id}`}>Delete… {who}</a>
      </div>
    </li>
  );
}

/** Deleting cannot be undone, so the list's "Delete…" link asks first; the button here posts. */
function ConfirmDelete({ item }: { item: Testimonial }) {
  return (
    <div role="alert" class="card space-y-4 border-red-700/40">
      <p class="font-semibold">Delete the testimonial by {item.authorName}?</p>
      <p class="text-sm text-muted">This cannot be undone. To hide it for now, unpublish it instead.</p>
      <div class="flex flex-wrap items-center gap-4">
        <form method="post">
          <input type="hidden" name="id" value={item.id} />
          <SubmitButton intent="delete" variant="danger">Delete testimonial</SubmitButton>
        </form>
        <a class="link text-sm" href="/admin/testimonials">Cancel</a>
      </div>
    </div>
  );
}
