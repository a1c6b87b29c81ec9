/** What the trader's verification page and `GET /api/kyc` show: status, documents, what is still needed. */
import type { Deps } from "../deps.ts";
import { type KycDocument, listDocuments, type Viewer } from "./documents.ts";
import {
  latestSubmission,
  missingKinds,
  type QueuedSubmission,
  reviewQueue,
  type Submission,
} from "./review.ts";
import type { KycStatus } from "./status.ts";
import type { DocumentKind } from "./documents.ts";

export interface KycOverview {
  status: KycStatus;
  submission: Submission | null;
  /** Uploaded, not yet submitted (they go into the next submission). */
  drafts: KycDocument[];
  /** The documents of the latest submission. */
  submitted: KycDocument[];
  /** Required documents without a draft yet (empty once they are all there, or when nothing can change). */
  missing: DocumentKind[];
  canUpload: boolean;
  canSubmit: boolean;
}

export async function kycOverview(
  deps: Pick<Deps, "db" | "config">,
  viewer: Viewer,
  now: Date = new Date(),
): Promise<KycOverview> {
  const submission = await latestSubmission(deps, viewer.id);
  const status: KycStatus = submission?.status ?? "none";
  const canUpload = status === "none" || status === "rejected";
  const missing = canUpload ? await missingKinds(deps, viewer.id) : [];
  return {
    status,
    submission,
    drafts: await listDocuments(deps, viewer, viewer.id, null, now),
    submitted: submission ? await listDocuments(deps, viewer, viewer.id, submission.id, now) : [],
    missing,
    canUpload,
    canSubmit: canUpload && missing.length === 0,
  };
}

/** The staff queue with each submission's documents, links signed for `viewer`. */
export async function reviewQueueWithDocuments(
  deps: Pick<Deps, "db" | "config">,
  viewer: Viewer,
  now: Date = new Date(),
): Promise<(QueuedSubmission & { documents: KycDocument[] })[]> {
  const queue = await reviewQueue(deps);
  return await Promise.all(queue.map(async (entry) => ({
    ...entry,
    documents: await listDocuments(deps, viewer, entry.user.id, entry.id, now),
  })));
}
