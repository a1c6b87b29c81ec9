/** Reads one document upload from a streamed multipart request (shared by the API and the page form). */
import { streamBody } from "../../lib/body.ts";
import { Unprocessable } from "../../lib/errors.ts";
import { inWords } from "../../lib/validation.ts";
import { boundaryOf, multipartParts, partText } from "../../lib/multipart.ts";
import type { Deps } from "../deps.ts";
import { assertCanUpload, type KycDocument, parseKind, uploadDocument } from "./documents.ts";
import { MAX_DOCUMENT_BYTES } from "./files.ts";

/** One file plus a few small fields and the multipart framing. */
export const UPLOAD_BODY_LIMIT = MAX_DOCUMENT_BYTES + 64 * 1024;
/** A 10 MB file over a slow mobile link: 2 minutes is ~85 KB/s. */
const UPLOAD_TIMEOUT_MS = 120_000;

/**
 * Streams the request's `file` part into storage as the user's document of the `kind` field. `kind` must
 * come before `file` (as a form lists it first): the file is not held anywhere while we wait for its kind.
 */
export async function readDocumentUpload(
  deps: Pick<Deps, "db" | "store" | "config">,
  userId: string,
  req: Request,
): Promise<KycDocument> {
  try {
    return await readUpload(deps, userId, req);
  } catch (error) {
    // The upload form shows the message whole (the page without script, the island with): a sentence.
    throw inWords(error, UPLOAD_LABELS);
  }
}

/** The upload's fields as a person reads their names (lib/validation.ts `inWords`). */
export const UPLOAD_LABELS: Readonly<Record<string, string>> = {
  file: "The file",
  kind: "The document type",
};

async function readUpload(
  deps: Pick<Deps, "db" | "store" | "config">,
  userId: string,
  req: Request,
): Promise<KycDocument> {
  const boundary = boundaryOf(req.headers.get("content-type"));
  // Refuse before reading a byte when nothing may change.
  await assertCanUpload(deps.db.sql, userId);
  const fields: Record<string, string> = {};
  let document: KycDocument | null = null;
  for await (const part of multipartParts(streamBody(req, { timeoutMs: UPLOAD_TIMEOUT_MS }), boundary)) {
    if (part.filename === null) {
      fields[part.name] = await partText(part, 1024);
      continue;
    }
    if (part.name !== "file") continue; // an unknown file field is skipped unread
    if (document) throw new Unprocessable("file", "must be sent once per request");
    if (fields.kind === undefined) throw new Unprocessable("kind", "is required, before the file");
    document = await uploadDocument(deps, userId, parseKind(fields.kind), {
      name: part.filename,
      body: part.body,
    });
  }
  if (!document) {
    if (fields.kind !== undefined) parseKind(fields.kind);
    throw new Unprocessable("file", "is required");
  }
  return document;
}
