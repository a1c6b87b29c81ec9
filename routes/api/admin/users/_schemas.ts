import { z } from "zod";
import { ROLES } from "../../../../services/auth/roles.ts";
import { KYC_STATUSES, USER_STATUSES } from "../../../../services/users/list.ts";

/** A user as the staff list shows them (OpenAPI documentation of `GET /api/admin/users`). */
export const staffUserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
  kycStatus: z.enum(KYC_STATUSES),
  hasFunded: z.boolean(),
  accounts: z.number().int(),
  createdAt: z.string(),
});

/** An audit entry as the viewer and a user's trail show it. */
export const auditRowSchema = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  actorId: z.uuid().nullable(),
  actorEmail: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  targetEmail: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
