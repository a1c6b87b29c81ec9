import { define, setMeta } from "../_define.ts";
import { ZoneNote } from "../../components/date_time.tsx";
import { DashboardNav } from "../../components/dashboard_nav.tsx";
import { page, type RouteConfig } from "../../lib/define.ts";
import { BadRequest, HttpError } from "../../lib/errors.ts";
import { inWords, readForm } from "../../lib/validation.ts";
import { DEFAULT_BODY_LIMIT } from "../../lib/body.ts";
import { type KycOverview, kycOverview } from "../../services/kyc/overview.ts";
import { submitForReview } from "../../services/kyc/review.ts";
import { readDocumentUpload, UPLOAD_BODY_LIMIT, UPLOAD_LABELS } from "../../services/kyc/upload.ts";
import { MAX_DOCUMENT_BYTES } from "../../services/kyc/files.ts";
import type { DocumentKind, KycDocument } from "../../services/kyc/documents.ts";
import { formatDateTime } from "../../services/time.ts";
import { FormError, formErrorHeaders, isFormError, Notice, SubmitButton } from "../../components/form.tsx";
import { StatusBadge } from "../../components/status_badge.tsx";
import KycUpload from "../../islands/kyc_upload.tsx";

/** Identity verification (KYC, DESIGN §3.3): status, what is needed, upload, submission, the reason of a rejection. */
export const access = "authenticated";
// One document per upload, streamed (the multipart form posts here when JavaScript is off).
export const config: RouteConfig = { bodyLimit: UPLOAD_BODY_LIMIT };

const KIND_LABELS: Record<DocumentKind, string> = {
  identity_front: "Identity document — front",
  identity_back: "Identity document — back (if it has one)",
  proof_of_address: "Proof of address (a bill or bank statement under 3 months old)",
};
const STATUS = {
  none: { label: "Not started", tone: "neutral" },
  submitted: { label: "Under review", tone: "neutral" },
  approved: { label: "Verified", tone: "good" },
  rejected: { label: "Not accepted", tone: "bad" },
} as const;

interface Data {
  overview: KycOverview;
  timeZone: string;
  notice: string | null;
  error: string | null;
}

const NO_STORE = { "cache-control": "no-store" };

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Identity verification", "Verify your identity to trade your funded account.");
    const uploaded = ctx.url.searchParams.get("uploaded") as DocumentKind | null;
    const submitted = ctx.url.searchParams.get("submitted");
    const notice = uploaded && uploaded in KIND_LABELS
      ? `${KIND_LABELS[uploaded].split(" (")[0]} uploaded.`
      : submitted
      ? "Your documents were submitted. We review them within one business day and email you the result."
      : null;
    return page({
      overview: await kycOverview(ctx.state.deps, ctx.state.user),
      timeZone: ctx.state.user.timeZone,
      notice,
      error: null,
    }, { headers: NO_STORE });
  },

  async POST(ctx) {
    setMeta(ctx.state, "Identity verification", "Verify your identity to trade your funded account.");
    const { deps, user, actor } = ctx.state;
    const multipart = /^multipart\/form-data/i.test(ctx.req.headers.get("content-type") ?? "");
    try {
      if (multipart) {
        const document = await readDocumentUpload(deps, user.id, ctx.req);
        return redirect(`/dashboard/verification?uploaded=${document.kind}`);
      }
      // The route admits uploads; a plain form gets the ordinary cap, not 10 MB buffered.
      const form = await readForm(ctx.req, { limit: DEFAULT_BODY_LIMIT });
      if (form.intent !== "submit") throw new BadRequest("Unknown form: send one of the page's buttons.");
      await submitForReview(deps, actor, user.id);
      return redirect("/dashboard/verification?submitted=1");
    } catch (error) {
      // Too large or not multipart are the visitor's to fix as well: say so on the page.
      const fixable = isFormError(error) || (error instanceof HttpError && [413, 415].includes(error.status));
      if (!fixable || !(error instanceof HttpError)) {
        throw error;
      }
      // Each field as a sentence under its name, as the form's other errors read.
      const message = (inWords(error, { ...UPLOAD_LABELS, ...KIND_LABELS }) as HttpError).message;
      return page<Data>({
        overview: await kycOverview(deps, user),
        timeZone: user.timeZone,
        notice: null,
        error: error.status === 413 ? `The file is larger than ${MAX_DOCUMENT_BYTES / 1048576} MB.` : message,
      }, { status: error.status, headers: formErrorHeaders(error) });
    }
  },
}, { access });

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, ...NO_STORE } });
}

export default define.page<typeof handler>(({ data }) => {
  const { overview, timeZone } = data;
  const status = STATUS[overview.status];
  const kinds = Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label }));
  return (
    <div class="container-page py-12">
      <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Identity verification</h1>
      <DashboardNav current="/dashboard/verification" class="mt-4" />
      <ZoneNote zone={data.timeZone} class="mt-2" />
      <p class="mt-2 max-w-2xl text-muted">
        We verify every funded trader once, before the first funded account starts trading and before any
        payout.
      </p>
      <div class="mt-6 grid max-w-2xl gap-3">
        {data.notice && <Notice tone="success">{data.notice}</Notice>}
        {data.error && <FormError id="kyc-error">{data.error}</FormError>}
      </div>

      <section aria-labelledby="status-h" class="card mt-8 max-w-2xl">
        <div class="flex flex-wrap items-center gap-3">
          <h2 id="status-h" class="text-xl font-bold tracking-tight">Status</h2>
          <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
        </div>
        <StatusText overview={overview} timeZone={timeZone} />
      </section>

      {overview.canUpload && (
        <section aria-labelledby="upload-h" class="card mt-6 max-w-2xl">
          <h2 id="upload-h" class="text-xl font-bold tracking-tight">
            {overview.status === "rejected" ? "Upload new documents" : "Upload your documents"}
          </h2>
          <Needed overview={overview} />
          <div class="mt-6">
            <KycUpload
              kinds={kinds}
              initialKind={overview.missing[0] ?? "identity_front"}
              maxMb={MAX_DOCUMENT_BYTES / 1048576}
            />
          </div>
          {overview.drafts.length > 0 && (
            <DocumentList title="Ready to submit" documents={overview.drafts} timeZone={timeZone} />
          )}
          <form method="post" class="mt-6 border-t border-line pt-6">
            {overview.canSubmit
              ? <SubmitButton intent="submit">Submit for review</SubmitButton>
              : (
                <p class="text-sm text-muted">
                  You can submit once the identity document (front) and the proof of address are uploaded.
                </p>
              )}
          </form>
        </section>
      )}

      {overview.submitted.length > 0 && (
        <section aria-labelledby="submitted-h" class="card mt-6 max-w-2xl">
          <h2 id="submitted-h" class="text-xl font-bold tracking-tight">
            Documents in your latest submission
          </h2>
          <DocumentList documents={overview.submitted} timeZone={timeZone} />
        </section>
      )}
    </div>
  );
});

function StatusText(props: { overview: KycOverview; timeZone: string }) {
  const { submission, status } = props.overview;
  const when = (iso: string | null | undefined) => iso ? formatDateTime(new Date(iso), props.timeZone) : "";
  switch (status) {
    case "none":
      return (
        <p class="mt-3">
          {props.overview.canSubmit
            ? "Everything required is uploaded: submit it for review below."
            : "Upload the documents below and submit them. It takes a few minutes."}
        </p>
      );
    case "submitted":
      return (
        <p class="mt-3">
          Submitted{" "}
          {when(submission?.submittedAt)}. We review documents within one business day and email you the
          result.
        </p>
      );
    case "approved":
      return (
        <p class="mt-3">
          Verified {when(submission?.decidedAt)}. Your funded accounts trade without waiting for verification.
        </p>
      );
    case "rejected":
      return (
        <div class="mt-3">
          <p>
            We could not accept the documents you submitted{" "}
            {when(submission?.submittedAt)}. Our reviewer wrote:
          </p>
          <blockquote class="mt-3 whitespace-pre-line border-l-4 border-red-700 pl-4 dark:border-red-400">
            {submission?.reason}
          </blockquote>
          <p class="mt-3">Upload new documents below and submit them again.</p>
        </div>
      );
  }
}

function Needed(props: { overview: KycOverview }) {
  const { missing } = props.overview;
  if (missing.length === 0) return <p class="mt-2 text-muted">Everything required is uploaded.</p>;
  return (
    <div class="mt-2">
      <p class="text-muted">Still needed:</p>
      <ul class="mt-1 list-disc pl-6">
        {missing.map((kind) => <li key={kind}>{KIND_LABELS[kind]}</li>)}
      </ul>
    </div>
  );
}

function DocumentList(props: { title?: string; documents: KycDocument[]; timeZone: string }) {
  return (
    <div class="mt-6">
      {props.title && <h3 class="font-semibold">{props.title}</h3>}
      <ul class="mt-2 divide-y divide-line">
        {props.documents.map((doc) => (
          <li key={doc.id} class="flex flex-wrap items-baseline justify-between gap-2 py-2">
            <span>
              <span class="font-medium">{KIND_LABELS[doc.kind].split(" (")[0]}</span>
              <span class="block text-sm text-muted">
                {doc.fileName || "file"} · {Math.max(1, Math.round(doc.sizeBytes / 1024))} KB · uploaded{" "}
                {formatDateTime(new Date(doc.uploadedAt), props.timeZone)}
              </span>
            </span>
            <a
              href={doc.url}
              target="_blank"
              rel="noopener"
              class="text-sm font-semibold text-brand underline"
            >
              View
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
