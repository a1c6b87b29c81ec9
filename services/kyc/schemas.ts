/** The JSON shapes of the KYC API (OpenAPI components and response validation in tests). */
import { z } from "zod";
import { DOCUMENT_KINDS } from "./documents.ts";

export const documentSchema = z.object({
  id: z.uuid(),
  kind: z.enum(DOCUMENT_KINDS),
  contentType: z.enum(["image/jpeg", "image/png", "application/pdf"]),
  sizeBytes: z.number().int(),
  fileName: z.string(),
  uploadedAt: z.iso.datetime(),
  url: z.string().meta({
    description: "Signed view link (a path on this API's origin) for the caller only, valid for 5 minutes",
  }),
  urlExpiresAt: z.iso.datetime(),
});

export const submissionSchema = z.object({
  id: z.uuid(),
  status: z.enum(["submitted", "approved", "rejected"]),
  submittedAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
  reason: z.string().nullable(),
});

export const overviewSchema = z.object({
  status: z.enum(["none", "submitted", "approved", "rejected"]),
  submission: submissionSchema.nullable(),
  drafts: z.array(documentSchema),
  submitted: z.array(documentSchema),
  missing: z.array(z.enum(DOCUMENT_KINDS)),
  canUpload: z.boolean(),
  canSubmit: z.boolean(),
});

export const queuedSchema = submissionSchema.extend({
  user: z.object({
    id: z.uuid(),
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    country: z.string().nullable(),
    createdAt: z.iso.datetime(),
    previousRejections: z.array(z.object({ decidedAt: z.iso.datetime(), reason: z.string() })),
  }),
  documents: z.array(documentSchema),
});
