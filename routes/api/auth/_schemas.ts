import { z } from "zod";
import { singleLine } from "../../../lib/text.ts";

/** Response shapes shared by the auth endpoints (documented in /api/openapi.json). */
export const tokenPairSchema = z.object({
  accessToken: z.string().describe("JWT (HS256), valid 15 minutes; send as `Authorization: Bearer`"),
  refreshToken: z.string().describe("Opaque, single-use: each refresh returns a new one"),
  expiresIn: z.number().int().describe("Seconds until the access token expires"),
});

export const tokenInput = z.object({ token: singleLine().min(1).max(200) });
export const refreshInput = z.object({ refreshToken: singleLine().min(1).max(200) });
export const codeInput = z.object({ code: singleLine().trim().min(6).max(32) });
