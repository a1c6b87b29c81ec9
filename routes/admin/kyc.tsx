import { define, setMeta } from "../_define.ts";
import { ZoneNote } from "../../components/date_time.tsx";
import { page } from "../../lib/define.ts";
import { BadRequest, type FieldErrors, Forbidden, NotFound, Unprocessable } from "../../lib/errors.ts";
import { readForm } from "../../lib/validation.ts";
import { can, STAFF } from "../../services/auth/roles.ts";
import type { KycDocument } from "../../services/kyc/documents.ts";
import { reviewQueueWithDocuments } from "../../services/kyc/overview.ts";
import { decideSubmission, decisionInput } from "../../services/kyc/review.ts";
import { formatDateTime } from "../../services/time.ts";
import {
  FormError,
  formErrorHeaders,
  isFormError,
  Notice,
  SubmitButton,
  TextArea,
} from "../../components/form.tsx";

/**
 * The KYC review queue, oldest first: one submission at a time, its documents beside the user's profile.
 * Every staff member may look (support, risk and admin read documents, DESIGN §3.3); deciding takes the
 * `kyc.review` permission. The queue lists documents without showing them (see `DocumentTile`); each one
 * opened is audited by the view link itself.
 */
export const access = STAFF;

type Queue = Awaited<ReturnType<typeof reviewQueueWithDocuments>>;

interface Data {
  queue: Queue;
  current: Queue[number] | null;
  canDecide: boolean;
  timeZone: string;
  done: string | null;
  form: { reason: string; errors: FieldErrors; message?: string };
}

const KIND_LABELS: Record<string, string> = {
  identity_front: "Identity document — front",
  identity_back: "Identity document — back",
  proof_of_address: "Proof of address",
};
const NO_STORE = { "cache-control": "no-store" };

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "KYC review", "Identity verification queue.");
    const { deps, user } = ctx.state;
    const queue = await reviewQueueWithDocuments(deps, user);
    const id = ctx.url.searchParams.get("id");
    const current = id ? queue.find((q) => q.id === id) ?? null : queue[0] ?? null;
    if (id && !current) throw new NotFound("This submission is not waiting for review (any more).");
    return page({
      queue,
      current,
      canDecide: can(user, "kyc.review"),
      timeZone: user.timeZone,
      done: ctx.url.searchParams.get("done"),
      form: { reason: "", errors: {} },
    }, { headers: NO_STORE });
  },

  async POST(ctx) {
    setMeta(ctx.state, "KYC review", "Identity verification queue.");
    const { deps, user, actor } = ctx.state;
    const form = await readForm(ctx.req);
    const id = form.id ?? "";
    try {
      if (!can(user, "kyc.review")) {
        throw new Forbidden("Your role may look at KYC documents but not decide.");
      }
      if (form.intent !== "approve" && form.intent !== "reject") {
        throw new BadRequest("Unknown form: send one of the page's buttons.");
      }
      const parsed = decisionInput.safeParse({ action: form.intent, reason: form.reason ?? "" });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Unprocessable("reason", issue.message);
      }
      const decided = await decideSubmission(deps, actor, id, parsed.data);
      return new Response(null, {
        status: 303,
        headers: { location: `/admin/kyc?done=${decided.status}`, ...NO_STORE },
      });
    } catch (error) {
      if (!isFormError(error)) throw error;
      const queue = await reviewQueueWithDocuments(deps, user);
      return page<Data>({
        queue,
        current: queue.find((q) => q.id === id) ?? queue[0] ?? null,
        canDecide: can(user, "kyc.review"),
        timeZone: user.timeZone,
        done: null,
        form: {
          reason: form.reason ?? "",
          errors: error.fields ?? {},
          message: error.fields ? "Please correct the highlighted field." : error.message,
        },
      }, { status: error.status, headers: formErrorHeaders(error) });
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const { queue, current, timeZone } = data;
  const when = (iso: string) => formatDateTime(new Date(iso), timeZone);
  return (
    <div>
      <h1 class="text-2xl font-bold tracking-tight">KYC review</h1>
      <ZoneNote zone={timeZone} class="mt-1" />
      <p class="mt-1 text-muted">
        {queue.length === 0
          ? "Nothing is waiting for review."
          : `${queue.length} submission${queue.length === 1 ? "" : "s"} waiting, oldest first.`}
      </p>
      {data.done && (
        <div class="mt-4 max-w-2xl">
          <Notice tone="success">The submission was {data.done}; the trader has been emailed.</Notice>
        </div>
      )}
      {current && (
        <div class="mt-6 grid gap-6 lg:grid-cols-[minmax(0,18rem)_minmax(0,1fr)]">
          <nav aria-label="Queue" class="order-2 lg:order-1">
            <h2 class="font-semibold">Queue</h2>
            <ol class="mt-2 divide-y divide-line rounded-xl border border-line">
              {queue.map((q) => (
                <li key={q.id}>
                  <a
                    href={`/admin/kyc?id=${q.id}`}
                    aria-current={q.id === current.id ? "page" : undefined}
                    class="block px-3 py-2 hover:bg-raised aria-[current=page]:bg-raised"
                  >
                    <span class="block font-medium">{q.user.firstName} {q.user.lastName}</span>
                    <span class="block text-sm text-muted">Submitted {when(q.submittedAt)}</span>
                  </a>
                </li>
              ))}
            </ol>
          </nav>
          <section aria-labelledby="review-h" class="order-1 card lg:order-2">
            <h2 id="review-h" class="text-xl font-bold tracking-tight">
              {current.user.firstName} {current.user.lastName}
            </h2>
            <div class="mt-4 grid gap-6 xl:grid-cols-[minmax(0,16rem)_minmax(0,1fr)]">
              <dl class="grid gap-2 text-sm">
                <div>
                  <dt class="text-muted">Email</dt>
                  <dd class="break-all">{current.user.email}</dd>
                </div>
                <div>
                  <dt class="text-muted">Country</dt>
                  <dd>{current.user.country ?? "Not given"}</dd>
                </div>
                <div>
                  <dt class="text-muted">Customer since</dt>
                  <dd>{when(current.user.createdAt)}</dd>
                </div>
                <div>
                  <dt class="text-muted">Submitted</dt>
                  <dd>{when(current.submittedAt)}</dd>
                </div>
                <div>
                  <dt class="text-muted">Earlier rejections</dt>
                  <dd>
                    {current.user.previousRejections.length === 0 ? "None" : (
                      <ul class="grid gap-1">
                        {current.user.previousRejections.map((r) => (
                          <li key={r.decidedAt}>{when(r.decidedAt)}: {r.reason}</li>
                        ))}
                      </ul>
                    )}
                  </dd>
                </div>
              </dl>
              <ul class="grid content-start gap-3" aria-label="Documents">
                {current.documents.map((doc) => <DocumentTile key={doc.id} doc={doc} timeZone={timeZone} />)}
              </ul>
            </div>
            {data.canDecide
              ? (
                <form method="post" class="mt-6 grid max-w-xl gap-4 border-t border-line pt-6">
                  <input type="hidden" name="id" value={current.id} />
                  {data.form.message && <FormError id="decision-error">{data.form.message}</FormError>}
                  <TextArea
                    name="reason"
                    label="Reason"
                    value={data.form.reason}
                    error={data.form.errors.reason}
                    hint="Required to reject: the trader reads it to know what to fix. Optional to approve."
                    rows={3}
                  />
                  <div class="flex flex-wrap gap-3">
                    <SubmitButton intent="approve">Approve</SubmitButton>
                    <SubmitButton intent="reject" variant="danger">Reject</SubmitButton>
                  </div>
                </form>
              )
              : <p class="mt-6 text-sm text-muted">Support or an admin decides; your role can only look.</p>}
          </section>
        </div>
      )}
    </div>
  );
});

/**
 * A document as the queue lists it: what it is, never its content. An inline image would be fetched through
 * its signed link, and audited as a view, by every load of the queue, burying the real views; a document is
 * viewed, and audited, when staff open it.
 */
function DocumentTile(props: { doc: KycDocument; timeZone: string }) {
  const { doc } = props;
  const label = KIND_LABELS[doc.kind] ?? doc.kind;
  const pdf = doc.contentType === "application/pdf";
  const type = pdf ? "PDF" : doc.contentType === "image/png" ? "PNG image" : "JPEG image";
  return (
    <li class="rounded-xl border border-line p-3" data-document={doc.id}>
      <p class="text-sm font-semibold">{label}</p>
      <p class="mt-1 text-sm text-muted">{type}, {Math.max(1, Math.round(doc.sizeBytes / 1024))} KB</p>
      <p class="text-sm text-muted">Uploaded {formatDateTime(new Date(doc.uploadedAt), props.timeZone)}</p>
      <a
        href={doc.url}
        target="_blank"
        rel="noopener"
        class="mt-2 inline-block text-sm font-semibold text-brand underline"
      >
        Open {pdf ? "PDF" : "image"}
        <span class="sr-only">: {label}</span>
      </a>
    </li>
  );
}
