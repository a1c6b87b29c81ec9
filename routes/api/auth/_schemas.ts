import { z } from "zod";

/** Response shapes shared by the auth endpoints (documented in /api/openapi.json). */
export const tokenPairSchema = z.object({
  accessToken: z.string().describe("JWT (HS256), valid 15 minutes; send as `Authorization: Bearer`"),
  refreshToken: z.string().describe("Opaque, single-use: each refresh returns a new one"),
  expiresIn: z.number().int().describe("Seconds until the access token expires"),
});

export const tokenInput = z.object({ token: z.string().min(1).max(200) });
export const refreshInput = z.object({ refreshToken: z.string().min(1).max(200) });
export const codeInput = z.object({ code: z.string().trim().min(6).max(32) });
export const empty = z.object({});
