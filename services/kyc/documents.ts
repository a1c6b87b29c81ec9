/**
 * KYC documents as rows: upload (the bytes go through files.ts), listing with short-lived signed view links,
 * and the view itself. A document is readable by its owner and by staff (support, risk, admin); anyone else
 * gets the 404 an unknown id gets, and the refusal is audited. Every view is audited (DESIGN §3.3, §6).
 */
import type { Sql } from "../../db/client.ts";
import { Conflict, Forbidden, NotFound, Unprocessable } from "../../lib/errors.ts";
import { isUuid } from "../../lib/validation.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { isStaff, type Role } from "../auth/roles.ts";
import type { Deps } from "../deps.ts";
import { checkObjectSignature, signObject } from "../storage/signing.ts";
import { kycKeyRing, readDocumentFile, storeDocumentFile } from "./files.ts";

export const DOCUMENT_KINDS = ["identity_front", "identity_back", "proof_of_address"] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
/** What a submission needs; the back of the identity document is optional (a passport has none). */
export const REQUIRED_KINDS: readonly DocumentKind[] = ["identity_front", "proof_of_address"];
/** How long a view link works: long enough to open it, too short to be worth passing around. */
export const LINK_SECONDS = 300;

export interface KycDocument {
  id: string;
  kind: DocumentKind;
  contentType: string;
  sizeBytes: number;
  fileName: string;
  uploadedAt: string;
  /** A signed link for the viewer it was issued to, valid until `urlExpiresAt`. */
  url: string;
  urlExpiresAt: string;
}

interface DocumentRow {
  id: string;
  user_id: string;
  submission_id: string | null;
  kind: DocumentKind;
  content_type: string;
  size_bytes: number;
  file_name: string;
  storage_key: string;
  created_at: Date;
}

/** Who views: the id the link is bound to, and the role that decides access. */
export interface Viewer {
  id: string;
  role: Role;
}

/** Throws 409 unless the user may change their documents: not while under review, nor once approved. */
export async function assertCanUpload(sql: Sql, userId: string): Promise<void> {
  const [latest] = await sql<{ status: string }[]>`
    select status from kyc_submissions where user_id = ${userId} order by submitted_at desc, id desc limit 1`;
  if (latest?.status === "submitted") {
    throw new Conflict("Your documents are under review; you can upload again if they are rejected.");
  }
  if (latest?.status === "approved") throw new Conflict("Your identity is already verified.");
}

/** `kind` as a document kind, or 422. */
export function parseKind(kind: string | undefined): DocumentKind {
  if (!(DOCUMENT_KINDS as readonly string[]).includes(kind ?? "")) {
    throw new Unprocessable("kind", `must be one of ${DOCUMENT_KINDS.join(", ")}`);
  }
  return kind as DocumentKind;
}

/**
 * Stores an uploaded file as the user's draft document of `kind`, replacing an earlier draft of that kind
 * (its object is deleted once the new row commits). Refused while a submission is under review or approved.
 */
export async function uploadDocument(
  deps: Pick<Deps, "db" | "store" | "config">,
  userId: string,
  kind: DocumentKind,
  file: { name: string | null; body: ReadableStream<Uint8Array> },
  now: Date = new Date(),
): Promise<KycDocument> {
  await assertCanUpload(deps.db.sql, userId);
  const stored = await storeDocumentFile(deps.store, await kycKeyRing(deps.config), userId, file.body);
  let replaced: string[] = [];
  try {
    const row = await deps.db.tx(async (tx) => {
      // The user row serialises uploads and submissions of one user.
      await tx`select id from users where id = ${userId} for update`;
      await assertCanUpload(tx, userId);
      replaced = (await tx<{ storage_key: string }[]>`
        delete from kyc_documents where user_id = ${userId} and kind = ${kind} and submission_id is null
        returning storage_key`).map((r) => r.storage_key);
      const [row] = await tx<DocumentRow[]>`
        insert into kyc_documents (user_id, kind, content_type, storage_key, key_id, size_bytes, file_name)
        values (${userId}, ${kind}, ${stored.contentType}, ${stored.storageKey}, ${stored.keyId},
                ${stored.sizeBytes}, ${cleanFileName(file.name)})
        returning *`;
      return row;
    });
    for (const key of replaced) await deps.store.delete(key).catch(() => {});
    return await documentJson(deps.config, { id: userId }, row, now);
  } catch (error) {
    await deps.store.delete(stored.storageKey).catch(() => {});
    throw error;
  }
}

/** A label only (never a path or a type): control characters out, at most 255 characters. */
function cleanFileName(name: string | null): string {
  // deno-lint-ignore no-control-regex
  return [...(name ?? "").replace(/[\u0000-\u001f\u007f/\\]+/g, " ").trim()].slice(0, 255).join("");
}

/** The documents of `userId` in one submission (`null`: the drafts), with links signed for `viewer`. */
export async function listDocuments(
  deps: Pick<Deps, "db" | "config">,
  viewer: Viewer,
  userId: string,
  submissionId: string | null,
  now: Date = new Date(),
): Promise<KycDocument[]> {
  const rows = await deps.db.sql<DocumentRow[]>`
    select * from kyc_documents
    where user_id = ${userId} and submission_id is not distinct from ${submissionId}
    order by kind, created_at`;
  return await Promise.all(rows.map((row) => documentJson(deps.config, viewer, row, now)));
}

async function documentJson(
  config: { jwtSecret: string },
  viewer: { id: string },
  row: DocumentRow,
  now: Date,
): Promise<KycDocument> {
  const expires = Math.floor(now.getTime() / 1000) + LINK_SECONDS;
  const sig = await signObject(config.jwtSecret, linkSubject(row.id, viewer.id), expires);
  return {
    id: row.id,
    kind: row.kind,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    fileName: row.file_name,
    uploadedAt: row.created_at.toISOString(),
    // Relative: the page or API client that got it resolves it against the origin it is talking to.
    url: `/api/kyc/documents/${row.id}/file?expires=${expires}&sig=${sig}`,
    urlExpiresAt: new Date(expires * 1000).toISOString(),
  };
}

/** What a link signs: the document and the one user it was issued to (a forwarded link is useless). */
function linkSubject(documentId: string, viewerId: string): string {
  return `kyc-document/${documentId}/${viewerId}`;
}

/**
 * Opens a document for `viewer` through a signed link: 404 for an unknown document, a bad signature or a
 * reader who is neither the owner nor staff (audited as a refusal); 403 for an expired link. The view is
 * audited before a byte is sent.
 */
export async function viewDocument(
  deps: Pick<Deps, "db" | "store" | "config">,
  viewer: Viewer & { actor: Actor },
  documentId: string,
  link: { expires: string; sig: string },
  now: Date = new Date(),
): Promise<{ body: ReadableStream<Uint8Array>; contentType: string; fileName: string; size: number }> {
  const notFound = new NotFound("No such document.");
  if (!isUuid(documentId)) throw notFound;
  const [row] = await deps.db.sql<DocumentRow[]>`select * from kyc_documents where id = ${documentId}`;
  if (!row) throw notFound;
  if (row.user_id !== viewer.id && !isStaff(viewer)) {
    await recordAudit(deps.db.sql, viewer.actor, "authz.denied", {
      type: "kyc_document",
      id: documentId,
      details: { reason: "not_owner" },
    });
    throw notFound;
  }
  const check = await checkObjectSignature(
    deps.config.jwtSecret,
    linkSubject(documentId, viewer.id),
    link.expires,
    link.sig,
    now,
  );
  if (check === "invalid") throw notFound;
  if (check === "expired") throw new Forbidden("This link has expired; reload the page for a new one.");
  const body = await readDocumentFile(deps.store, await kycKeyRing(deps.config), row.storage_key);
  if (!body) throw notFound;
  await recordAudit(deps.db.sql, viewer.actor, "kyc.document_viewed", {
    type: "kyc_document",
    id: documentId,
    details: { ownerId: row.user_id, kind: row.kind, viewerRole: viewer.role },
  });
  return { body, contentType: row.content_type, fileName: row.file_name, size: row.size_bytes };
}
